// In-page half of gate's locators and waits. Evaluated as `(SOURCE)(op, args)`; returns plain
// JSON. It finds elements and reports their state; it never clicks or types (input comes from
// real DevTools input events, sent by the Rust side).
(async (op, args) => {
  const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
  const matches = (actual, wanted, exact) => {
    const a = norm(actual);
    const w = norm(wanted);
    return exact ? a === w : a.toLowerCase().includes(w.toLowerCase());
  };

  const isVisible = (el) => {
    if (!el.isConnected) return false;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.visibility === "collapse") return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };

  const implicitRole = (el) => {
    const tag = el.tagName.toLowerCase();
    const type = (el.getAttribute("type") || "").toLowerCase();
    switch (tag) {
      case "a": return el.hasAttribute("href") ? "link" : null;
      case "button": return "button";
      case "input":
        if (["button", "submit", "reset", "image"].includes(type)) return "button";
        if (type === "checkbox") return "checkbox";
        if (type === "radio") return "radio";
        if (type === "range") return "slider";
        if (type === "number") return "spinbutton";
        if (type === "search") return "searchbox";
        if (type === "hidden") return null;
        return "textbox";
      case "textarea": return "textbox";
      case "select": return el.multiple || el.size > 1 ? "listbox" : "combobox";
      case "option": return "option";
      case "h1": case "h2": case "h3": case "h4": case "h5": case "h6": return "heading";
      case "img": return el.getAttribute("alt") === "" ? "presentation" : "img";
      case "ul": case "ol": return "list";
      case "li": return "listitem";
      case "nav": return "navigation";
      case "main": return "main";
      case "header": return "banner";
      case "footer": return "contentinfo";
      case "form": return "form";
      case "dialog": return "dialog";
      case "table": return "table";
      case "tr": return "row";
      case "td": return "cell";
      case "th": return "columnheader";
      case "p": return "paragraph";
      case "article": return "article";
      case "section": return "region";
      default: return null;
    }
  };
  const roleOf = (el) => {
    const explicit = (el.getAttribute("role") || "").trim().split(/\s+/)[0];
    return explicit || implicitRole(el);
  };

  const labelsText = (el) => {
    const parts = [];
    if (el.labels) for (const l of el.labels) parts.push(l.innerText || l.textContent);
    return parts.join(" ");
  };
  const accessibleName = (el) => {
    const labelledby = el.getAttribute("aria-labelledby");
    if (labelledby) {
      const text = labelledby.split(/\s+/)
        .map((id) => document.getElementById(id))
        .filter(Boolean)
        .map((n) => n.innerText || n.textContent)
        .join(" ");
      if (norm(text)) return norm(text);
    }
    const aria = el.getAttribute("aria-label");
    if (norm(aria)) return norm(aria);
    const tag = el.tagName.toLowerCase();
    if (["input", "textarea", "select"].includes(tag)) {
      const type = (el.getAttribute("type") || "").toLowerCase();
      if (["button", "submit", "reset"].includes(type)) return norm(el.value);
      const l = labelsText(el);
      if (norm(l)) return norm(l);
      return norm(el.getAttribute("placeholder") || el.getAttribute("title"));
    }
    if (tag === "img") return norm(el.getAttribute("alt") || el.getAttribute("title"));
    return norm(el.innerText || el.textContent || el.getAttribute("title"));
  };

  const all = () => Array.from(document.querySelectorAll("*"));

  const resolve = (loc) => {
    let found;
    switch (loc.kind) {
      case "css":
        found = Array.from(document.querySelectorAll(loc.value));
        break;
      case "test_id":
        found = all().filter((el) => el.getAttribute("data-testid") === loc.value);
        break;
      case "text": {
        // The innermost elements whose text matches, like a person reading the page would.
        const hits = all().filter((el) => {
          if (["SCRIPT", "STYLE", "HEAD", "TITLE", "NOSCRIPT", "HTML", "BODY"].includes(el.tagName)) return false;
          const own = el.tagName === "INPUT" ? el.value : (el.innerText ?? el.textContent);
          return matches(own, loc.value, loc.exact);
        });
        found = hits.filter((el) => !hits.some((other) => other !== el && el.contains(other)));
        break;
      }
      case "role":
        found = all().filter((el) => roleOf(el) === loc.role && isVisible(el) &&
          el.getAttribute("aria-hidden") !== "true" &&
          (loc.name == null || matches(accessibleName(el), loc.name, loc.exact)));
        break;
      case "label": {
        const controls = new Set();
        for (const label of document.querySelectorAll("label")) {
          if (matches(label.innerText || label.textContent, loc.value, loc.exact) && label.control) {
            controls.add(label.control);
          }
        }
        for (const el of document.querySelectorAll("[aria-label],[aria-labelledby]")) {
          if (matches(accessibleName(el), loc.value, loc.exact)) controls.add(el);
        }
        found = Array.from(controls);
        break;
      }
      default:
        throw new Error("unknown locator kind " + loc.kind);
    }
    return found;
  };

  // Picks the element a locator means: the nth, or the only one (strict).
  const pick = (loc) => {
    const els = resolve(loc);
    if (loc.nth != null) return { el: els[loc.nth] || null, count: els.length };
    if (els.length > 1) return { el: null, count: els.length, ambiguous: true };
    return { el: els[0] || null, count: els.length };
  };

  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    const cls = (el.getAttribute("class") || "").trim();
    if (cls) s += "." + cls.split(/\s+/).join(".");
    return s;
  };

  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const rectOf = (el) => {
    const r = el.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  };
  // Running CSS animations or transitions of the element or an ancestor that change where it
  // is or how big: caught before they have moved it (the first frame of an animation can show
  // it still), where comparing two frames would not.
  const GEOMETRY = /^(transform|translate|rotate|scale|left|top|right|bottom|inset|margin|padding|width|height|zoom)/;
  const animating = (el) => {
    if (typeof document.getAnimations !== "function") return false;
    return document.getAnimations().some((anim) => {
      const target = anim.effect && anim.effect.target;
      if (!target || !(target === el || target.contains(el))) return false;
      // A spinner drawn by ::before or ::after moves the pseudo-element, not the element.
      if (anim.effect.pseudoElement) return false;
      if (anim.playState !== "running" && !anim.pending) return false;
      const frames = typeof anim.effect.getKeyframes === "function" ? anim.effect.getKeyframes() : [];
      return frames.some((f) => Object.keys(f).some((k) => GEOMETRY.test(k)));
    });
  };
  const sameRect = (a, b) => a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;

  const state = (loc) => {
    const { el, count, ambiguous } = pick(loc);
    const out = { count, ambiguous: !!ambiguous };
    if (ambiguous) {
      out.candidates = resolve(loc).slice(0, 5).map(describe);
      return out;
    }
    if (!el) return out;
    out.attached = true;
    out.visible = isVisible(el);
    out.text = norm(el.tagName === "INPUT" || el.tagName === "TEXTAREA" ? el.value : (el.innerText ?? el.textContent));
    out.value = "value" in el ? String(el.value) : null;
    out.checked = "checked" in el ? !!el.checked : null;
    out.enabled = !(el.disabled || el.closest("fieldset:disabled") || el.getAttribute("aria-disabled") === "true");
    out.editable = out.enabled && !el.readOnly;
    out.attributes = {};
    for (const name of args.attributes || []) out.attributes[name] = el.getAttribute(name);
    out.element = describe(el);
    return out;
  };

  // Waits (up to args.budget ms, frame by frame) until `check(state)` holds; returns the last state.
  const poll = async (compute, check) => {
    const deadline = performance.now() + (args.budget || 0);
    for (;;) {
      const s = await compute();
      if (check(s) || performance.now() >= deadline) return s;
      await Promise.race([frame(), new Promise((r) => setTimeout(r, 50))]);
    }
  };

  const element_checks = (s) => {
    const want = args.want || {};
    if (want.count != null && s.count !== want.count) return false;
    const onlyCount = want.count != null && want.state == null && want.visible == null &&
      want.text_equals == null && want.text_contains == null && want.value == null &&
      want.checked == null && Object.keys(want.attributes || {}).length === 0;
    if (onlyCount) return true;
    if (want.state === "detached") return !s.attached && !s.ambiguous;
    if (s.ambiguous) return false;
    if (want.state === "hidden") return !s.attached || !s.visible;
    if (want.visible === false) return !s.attached || !s.visible;
    if (want.count === 0) return true;
    if (!s.attached) return false;
    if (want.state === "visible" || want.visible === true) { if (!s.visible) return false; }
    if (want.text_equals != null && s.text !== norm(want.text_equals)) return false;
    if (want.text_contains != null && !s.text.includes(norm(want.text_contains))) return false;
    if (want.value != null && s.value !== want.value) return false;
    if (want.checked != null && s.checked !== want.checked) return false;
    for (const [k, v] of Object.entries(want.attributes || {})) if (s.attributes[k] !== v) return false;
    return true;
  };

  switch (op) {
    case "state": {
      const s = await poll(() => state(args.locator), element_checks);
      s.ok = element_checks(s);
      return s;
    }

    case "page": {
      const w = args.want || {};
      const m = (actual, spec) => spec == null || (spec.equals != null ? norm(actual) === norm(spec.equals) : norm(actual).includes(norm(spec.contains)));
      const check = (s) => m(s.url, w.url) && m(s.title, w.title);
      const s = await poll(() => ({ url: location.href, title: document.title }), check);
      s.ok = check(s);
      return s;
    }

    // Waits until the element can receive real input at its centre: attached, visible, enabled,
    // scrolled into view, not covered and, for input sent to a point (`need_stable`: clicks,
    // hovers), stable for two frames. Returns the point to use.
    case "actionable": {
      const deadline = performance.now() + (args.budget || 0);
      let last = { ok: false, reason: "not found" };
      for (;;) {
        last = await (async () => {
          const { el, count, ambiguous } = pick(args.locator);
          if (ambiguous) return { ok: false, reason: `matches ${count} elements`, candidates: resolve(args.locator).slice(0, 5).map(describe), fatal: true };
          if (!el) return { ok: false, reason: "not found" };
          if (!isVisible(el)) return { ok: false, reason: "not visible", element: describe(el) };
          if (args.need_enabled && (el.disabled || el.closest("fieldset:disabled"))) return { ok: false, reason: "disabled", element: describe(el) };
          if (args.need_editable && el.readOnly) return { ok: false, reason: "read-only", element: describe(el) };
          el.scrollIntoView({ block: "center", inline: "center", behavior: "instant" });
          const a = rectOf(el);
          let b = a;
          if (args.need_stable) {
            if (animating(el)) return { ok: false, reason: "moving (animated)", element: describe(el) };
            await frame();
            b = rectOf(el);
            if (!sameRect(a, b)) return { ok: false, reason: "moving (not stable)", element: describe(el) };
          }
          const x = b.x + b.width / 2;
          const y = b.y + b.height / 2;
          const hit = document.elementFromPoint(x, y);
          if (!hit || !(hit === el || el.contains(hit) || (hit.control && hit.control === el) || (el.labels && Array.from(el.labels).includes(hit)))) {
            return { ok: false, reason: "covered by " + (hit ? describe(hit) : "nothing (outside the viewport)"), element: describe(el) };
          }
          if (args.focus) el.focus();
          if (args.select_text && typeof el.select === "function") el.select();
          else if (args.select_text && el.isContentEditable) {
            const range = document.createRange();
            range.selectNodeContents(el);
            const sel = getSelection();
            sel.removeAllRanges();
            sel.addRange(range);
          }
          return { ok: true, x, y, element: describe(el), checked: "checked" in el ? !!el.checked : null, tag: el.tagName.toLowerCase(), type: (el.getAttribute("type") || "").toLowerCase() };
        })();
        if (last.ok || last.fatal || performance.now() >= deadline) return last;
        await Promise.race([frame(), new Promise((r) => setTimeout(r, 50))]);
      }
    }

    // `<select>` options are chosen the way browsers' own UI does it: set and fire events.
    case "select": {
      const { el } = pick(args.locator);
      if (!el) return { ok: false, reason: "not found" };
      if (el.tagName !== "SELECT") return { ok: false, reason: `${describe(el)} is not a <select>` };
      const wanted = args.options;
      const chosen = [];
      for (const w of wanted) {
        const opt = Array.from(el.options).find((o) => o.value === w) ||
          Array.from(el.options).find((o) => norm(o.label) === norm(w));
        if (!opt) return { ok: false, reason: `no option "${w}"`, available: Array.from(el.options).map((o) => o.label) };
        chosen.push(opt);
      }
      if (!el.multiple && chosen.length > 1) return { ok: false, reason: "the <select> allows one option" };
      for (const o of el.options) o.selected = chosen.includes(o);
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
      return { ok: true, value: el.value };
    }

    case "storage":
      try {
        const items = {};
        for (let i = 0; i < localStorage.length; i++) {
          const k = localStorage.key(i);
          items[k] = localStorage.getItem(k);
        }
        return { origin: location.origin, items };
      } catch (_) {
        return { origin: location.origin, items: {} };
      }

    default:
      throw new Error("unknown op " + op);
  }
})
