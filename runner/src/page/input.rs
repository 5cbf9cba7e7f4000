//! Real input: mouse and keyboard events sent through the DevTools protocol, the way a person's
//! input reaches the page (trusted events, default actions, focus changes).

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::input::{
    DispatchKeyEventParams, DispatchKeyEventType, DispatchMouseEventParams, DispatchMouseEventType,
    InsertTextParams, MouseButton as CdpButton,
};
use chromiumoxide::keys::USKEYBOARD_LAYOUT;
use gate_scenarios::MouseButton;

/// Moves the mouse to (x, y) and clicks `count` times.
pub async fn click(
    page: &Page,
    x: f64,
    y: f64,
    button: MouseButton,
    count: u8,
) -> chromiumoxide::Result<()> {
    move_to(page, x, y).await?;
    let button = match button {
        MouseButton::Left => CdpButton::Left,
        MouseButton::Right => CdpButton::Right,
        MouseButton::Middle => CdpButton::Middle,
    };
    for n in 1..=i64::from(count.max(1)) {
        for kind in [
            DispatchMouseEventType::MousePressed,
            DispatchMouseEventType::MouseReleased,
        ] {
            let params = DispatchMouseEventParams::builder()
                .r#type(kind)
                .x(x)
                .y(y)
                .button(button.clone())
                .click_count(n)
                .build()
                .map_err(chromiumoxide::error::CdpError::msg)?;
            page.execute(params).await?;
        }
    }
    Ok(())
}

pub async fn move_to(page: &Page, x: f64, y: f64) -> chromiumoxide::Result<()> {
    let params = DispatchMouseEventParams::builder()
        .r#type(DispatchMouseEventType::MouseMoved)
        .x(x)
        .y(y)
        .build()
        .map_err(chromiumoxide::error::CdpError::msg)?;
    page.execute(params).await?;
    Ok(())
}

/// Types text into the focused element as one input (like an IME commit or a paste).
pub async fn insert_text(page: &Page, text: &str) -> chromiumoxide::Result<()> {
    page.execute(InsertTextParams::new(text)).await?;
    Ok(())
}

/// One key press or release, resolved against the US keyboard layout.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyEvent {
    pub down: bool,
    pub key: String,
    pub code: String,
    pub key_code: i64,
    /// Text the key inserts (only on key down, only without Control/Alt/Meta).
    pub text: Option<String>,
    /// CDP modifier bit mask: Alt=1, Control=2, Meta=4, Shift=8.
    pub modifiers: i64,
}

/// Turns a chord like `Control+A` or `Enter` into the key events a keyboard would produce:
/// modifiers down, key down, key up, modifiers up. Unknown keys are an error naming the key.
pub fn key_chord_events(chord: &str) -> Result<Vec<KeyEvent>, String> {
    let parts: Vec<&str> = if chord == "+" {
        vec!["+"]
    } else {
        chord.split('+').collect()
    };
    let (key, modifiers) = parts
        .split_last()
        .ok_or_else(|| format!("empty key chord `{chord}`"))?;
    let mut mask = 0;
    let mut down = Vec::new();
    for m in modifiers {
        let bit = match *m {
            "Alt" => 1,
            "Control" => 2,
            "Meta" => 4,
            "Shift" => 8,
            other => return Err(format!("unknown modifier `{other}` in `{chord}`")),
        };
        mask |= bit;
        let def = lookup(m).ok_or_else(|| format!("unknown key `{m}`"))?;
        down.push(KeyEvent {
            down: true,
            key: def.key.into(),
            code: def.code.into(),
            key_code: def.key_code,
            text: None,
            modifiers: mask,
        });
    }
    let name = if *key == "Space" { " " } else { key };
    let def = lookup(name).ok_or_else(|| format!("unknown key `{key}` in `{chord}`"))?;
    let text = if mask & (1 | 2 | 4) == 0 {
        def.text
            .map(str::to_string)
            .or_else(|| (def.key.chars().count() == 1).then(|| def.key.to_string()))
    } else {
        None
    };
    let mut events = down.clone();
    events.push(KeyEvent {
        down: true,
        key: def.key.into(),
        code: def.code.into(),
        key_code: def.key_code,
        text,
        modifiers: mask,
    });
    events.push(KeyEvent {
        down: false,
        key: def.key.into(),
        code: def.code.into(),
        key_code: def.key_code,
        text: None,
        modifiers: mask,
    });
    for ev in down.into_iter().rev() {
        mask &= !match ev.key.as_str() {
            "Alt" => 1,
            "Control" => 2,
            "Meta" => 4,
            _ => 8,
        };
        events.push(KeyEvent {
            down: false,
            modifiers: mask,
            ..ev
        });
    }
    Ok(events)
}

fn lookup(key: &str) -> Option<&'static chromiumoxide::keys::KeyDefinition> {
    USKEYBOARD_LAYOUT.iter().find(|d| d.key == key)
}

pub async fn send_key(page: &Page, ev: &KeyEvent) -> chromiumoxide::Result<()> {
    let kind = match (ev.down, ev.text.is_some()) {
        (true, true) => DispatchKeyEventType::KeyDown,
        (true, false) => DispatchKeyEventType::RawKeyDown,
        (false, _) => DispatchKeyEventType::KeyUp,
    };
    let mut builder = DispatchKeyEventParams::builder()
        .r#type(kind)
        .key(ev.key.clone())
        .code(ev.code.clone())
        .windows_virtual_key_code(ev.key_code)
        .native_virtual_key_code(ev.key_code)
        .modifiers(ev.modifiers);
    if let Some(text) = &ev.text {
        builder = builder.text(text.clone()).unmodified_text(text.clone());
    }
    let params = builder
        .build()
        .map_err(chromiumoxide::error::CdpError::msg)?;
    page.execute(params).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chord_presses_modifiers_around_the_key() {
        let evs = key_chord_events("Control+a").unwrap();
        let seq: Vec<_> = evs
            .iter()
            .map(|e| (e.down, e.key.as_str(), e.modifiers))
            .collect();
        assert_eq!(
            seq,
            [
                (true, "Control", 2),
                (true, "a", 2),
                (false, "a", 2),
                (false, "Control", 0)
            ]
        );
        assert_eq!(evs[1].text, None, "Control+a must not type an `a`");
    }

    #[test]
    fn plain_keys_type_their_text() {
        let evs = key_chord_events("Enter").unwrap();
        assert_eq!(evs[0].text.as_deref(), Some("\r"));
        assert_eq!(
            key_chord_events("Space").unwrap()[0].text.as_deref(),
            Some(" ")
        );
        assert!(key_chord_events("Entr").unwrap_err().contains("Entr"));
    }
}
