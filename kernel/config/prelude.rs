// The course kernel's prelude: evcxr runs it once when a kernel starts.
//
// evcxr catches a panic, prints it to stderr with a long backtrace, and still reports the cell
// as a success. This hook makes a panic visible instead: a red box with the message in the
// notebook, and a machine-readable block (application/vnd.backprop.panic+json) that
// `course run` reads to fail the cell. Both are printed on stdout, which evcxr delivers before
// it reports the cell finished, so the runner cannot miss them.
std::panic::set_hook(Box::new(|info| {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "the code panicked".to_string());
    let place = info
        .location()
        .map(|l| format!("{}:{}", l.file(), l.line()))
        .unwrap_or_default();
    let json_text = |s: &str| -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    };
    let html_text = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let title = if message.starts_with('✗') { "" } else { "The code panicked:\n" };
    println!(
        "EVCXR_BEGIN_CONTENT text/html\n<pre style=\"color:#a61b1b;background:#fdeeee;\
         border-left:4px solid #d32f2f;padding:0.6em 0.8em;white-space:pre-wrap\">{}{}</pre>\n\
         EVCXR_END_CONTENT",
        title, html_text
    );
    println!("EVCXR_BEGIN_CONTENT text/plain\n{}{}\nEVCXR_END_CONTENT", title, message);
    println!(
        "EVCXR_BEGIN_CONTENT application/vnd.backprop.panic+json\n{{\"message\":{},\"location\":{}}}\nEVCXR_END_CONTENT",
        json_text(&message),
        json_text(&place)
    );
}));

// Switch evcxr's `?` support on now. evcxr enables it the first time a cell fails to compile
// because of a `?`; but when that first `?` sits in a cell's final expression, evcxr instead
// gives up on the value's rich display and prints its Debug form (a chart shows as
// `Figure { svg: ... }`). One top-level `?` here settles it before any lesson cell runs.
Ok::<(), std::fmt::Error>(())?;
