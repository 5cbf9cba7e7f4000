//! What a diagnostic about a file people write must be, whatever the input: about that file,
//! saying what is wrong, pointing inside the text (or at the whole file, for something
//! missing), and rendering without panicking to `--> file:line:col` and the message.

use gate_scenarios::Diagnostic;

/// Panics unless `diagnostic`, about the file `path` whose text is `text`, is located and
/// renders.
pub fn assert_located(diagnostic: &Diagnostic, path: &str, text: &str) {
    assert!(
        !diagnostic.message.trim().is_empty(),
        "a diagnostic with no message: {diagnostic:?}"
    );
    assert_eq!(
        diagnostic.path, path,
        "a diagnostic about another file: {diagnostic:?}"
    );
    if let Some(span) = &diagnostic.span {
        assert!(
            span.start <= span.end && span.end <= text.len(),
            "span {span:?} is not inside the {} bytes of the file: {diagnostic:?}",
            text.len()
        );
        assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "span {span:?} cuts a character: {diagnostic:?}"
        );
    }
    let rendered = diagnostic.render(text, false);
    assert!(
        rendered.contains(&format!("--> {path}")),
        "the rendering does not say where:\n{rendered}"
    );
    assert!(
        rendered.contains(diagnostic.message.as_str()),
        "the rendering lost the message:\n{rendered}"
    );
}
