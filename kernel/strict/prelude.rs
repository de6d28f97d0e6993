// The strict course kernel's prelude. With `:preserve_vars_on_panic 0` (init.evcxr) a panic
// ends the cell as an error, so tools that trust the kernel's status (nbconvert --execute,
// nbclient, papermill, nbgrader) see a failed check as a failure. The hook keeps the message
// to the point: the panic's own text, without evcxr's backtrace.
std::panic::set_hook(Box::new(|info| {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "the code panicked".to_string());
    eprintln!("{message}");
}));

// Switch evcxr's `?` support on now (see ../config/prelude.rs for why).
Ok::<(), std::fmt::Error>(())?;
