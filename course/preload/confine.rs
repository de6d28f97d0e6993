//! Confines the process that runs a graded notebook's code, with Landlock, as it loads.
//!
//! The grader builds this file into a small shared library and names it in `LD_PRELOAD` for
//! a sandboxed kernel (`course/src/jupyter/confine.rs`, which carries this file). Every program in the sandbox loads
//! it, and it does nothing in all but one: evcxr's own child, the process that runs the
//! cells' code (evcxr starts it, and starts it again after `:clear` or a crash, with
//! `EVCXR_IS_RUNTIME` set). That process, and anything it starts, then:
//!
//! - writes files only beneath its working folder (the notebook's, made empty for it) and
//!   to `/dev/null`: not the kernel's build folder, `/tmp`, `$HOME` or `/dev/shm`;
//! - opens no TCP connection and listens on no TCP port (Landlock ABI 4);
//! - signals no process and reaches no abstract Unix socket outside its own Landlock domain
//!   (ABI 6), and, as Landlock always does, traces no process outside it.
//!
//! Reading is left alone: the sandbox already holds nothing a submission may not read.
//! With `BACKPROP_CONFINE=required`, a process that cannot be confined as far as this
//! machine's Landlock allows ends at once (exit status 97) with a message on stderr, so the
//! code never runs unconfined.

#![no_std]

use core::ffi::{c_char, c_int, c_long, c_void};

unsafe extern "C" {
    fn syscall(number: c_long, ...) -> c_long;
    fn prctl(option: c_int, ...) -> c_int;
    fn getenv(name: *const c_char) -> *mut c_char;
    fn getcwd(buf: *mut c_char, size: usize) -> *mut c_char;
    fn open(path: *const c_char, flags: c_int, ...) -> c_int;
    fn close(fd: c_int) -> c_int;
    fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
    fn _exit(status: c_int) -> !;
}

// Landlock's system calls share one number on every architecture (Linux 5.13).
const SYS_CREATE_RULESET: c_long = 444;
const SYS_ADD_RULE: c_long = 445;
const SYS_RESTRICT_SELF: c_long = 446;
const CREATE_RULESET_VERSION: u32 = 1;
const RULE_PATH_BENEATH: c_int = 1;
const PR_SET_NO_NEW_PRIVS: c_int = 38;
const O_PATH: c_int = 0o10000000;
const O_CLOEXEC: c_int = 0o2000000;

// Filesystem rights (`LANDLOCK_ACCESS_FS_*`): the ones that change files.
const WRITE_FILE: u64 = 1 << 1;
const REMOVE_DIR: u64 = 1 << 4;
const REMOVE_FILE: u64 = 1 << 5;
const MAKE_CHAR: u64 = 1 << 6;
const MAKE_DIR: u64 = 1 << 7;
const MAKE_REG: u64 = 1 << 8;
const MAKE_SOCK: u64 = 1 << 9;
const MAKE_FIFO: u64 = 1 << 10;
const MAKE_BLOCK: u64 = 1 << 11;
const MAKE_SYM: u64 = 1 << 12;
const REFER: u64 = 1 << 13; // ABI 2
const TRUNCATE: u64 = 1 << 14; // ABI 3
const IOCTL_DEV: u64 = 1 << 15; // ABI 5
// Network rights (`LANDLOCK_ACCESS_NET_*`, ABI 4) and scopes (`LANDLOCK_SCOPE_*`, ABI 6).
const BIND_TCP: u64 = 1 << 0;
const CONNECT_TCP: u64 = 1 << 1;
const SCOPE_ABSTRACT_UNIX_SOCKET: u64 = 1 << 0;
const SCOPE_SIGNAL: u64 = 1 << 1;

/// The exit status of a process that had to be confined and could not be.
const UNCONFINED: c_int = 97;

#[repr(C)]
struct RulesetAttr {
    handled_access_fs: u64,
    handled_access_net: u64,
    scoped: u64,
}

#[repr(C, packed)]
struct PathBeneathAttr {
    allowed_access: u64,
    parent_fd: i32,
}

/// What one Landlock ABI lets this library deny.
struct Rights {
    fs: u64,
    net: u64,
    scoped: u64,
}

impl Rights {
    fn for_abi(abi: c_long) -> Rights {
        let mut fs = WRITE_FILE
            | REMOVE_DIR
            | REMOVE_FILE
            | MAKE_CHAR
            | MAKE_DIR
            | MAKE_REG
            | MAKE_SOCK
            | MAKE_FIFO
            | MAKE_BLOCK
            | MAKE_SYM;
        for (since, right) in [(2, REFER), (3, TRUNCATE), (5, IOCTL_DEV)] {
            if abi >= since {
                fs |= right;
            }
        }
        Rights {
            fs,
            net: if abi >= 4 { BIND_TCP | CONNECT_TCP } else { 0 },
            scoped: if abi >= 6 {
                SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
            } else {
                0
            },
        }
    }

    /// The rights a rule on a single file (not a folder) may grant.
    fn on_a_file(&self) -> u64 {
        self.fs & (WRITE_FILE | TRUNCATE | IOCTL_DEV)
    }
}

#[used]
#[unsafe(link_section = ".init_array")]
static CONFINE_AT_LOAD: extern "C" fn() = confine_at_load;

extern "C" fn confine_at_load() {
    // SAFETY: the names are NUL-terminated; getenv's result is only compared with null.
    let runtime = unsafe { !getenv(c"EVCXR_IS_RUNTIME".as_ptr()).is_null() };
    if !runtime {
        return;
    }
    if let Err(step) = confine() {
        // SAFETY: as above.
        let required = unsafe { !getenv(c"BACKPROP_CONFINE".as_ptr()).is_null() };
        if required {
            say(b"backprop confine: the code's process cannot be confined: ");
            say(step.as_bytes());
            say(b" failed\n");
            // SAFETY: ends this process at once, before any of the cells' code is loaded.
            unsafe { _exit(UNCONFINED) }
        }
    }
}

/// Confines this process; the step that failed, if one did.
fn confine() -> Result<(), &'static str> {
    // SAFETY: the version query takes no attribute.
    let abi = unsafe {
        syscall(
            SYS_CREATE_RULESET,
            core::ptr::null::<c_void>(),
            0usize,
            CREATE_RULESET_VERSION,
        )
    };
    if abi < 1 {
        return Err("Landlock (landlock_create_ruleset)");
    }
    let rights = Rights::for_abi(abi);
    let attr = RulesetAttr {
        handled_access_fs: rights.fs,
        handled_access_net: rights.net,
        scoped: rights.scoped,
    };
    // SAFETY: `attr` outlives the call, and its size is passed with it.
    let ruleset = unsafe {
        syscall(
            SYS_CREATE_RULESET,
            &attr as *const RulesetAttr,
            core::mem::size_of::<RulesetAttr>(),
            0u32,
        )
    } as c_int;
    if ruleset < 0 {
        return Err("creating the ruleset");
    }
    let confined = restrict(ruleset, &rights);
    // SAFETY: the ruleset is a descriptor this function opened; the domain keeps its rules.
    unsafe { close(ruleset) };
    confined
}

/// Adds the rules to `ruleset` and restricts this process with it.
fn restrict(ruleset: c_int, rights: &Rights) -> Result<(), &'static str> {
    let mut cwd = [0 as c_char; 4096];
    // SAFETY: the buffer's length is passed with it; getcwd NUL-terminates what it writes.
    if unsafe { getcwd(cwd.as_mut_ptr(), cwd.len()) }.is_null() {
        return Err("reading the working folder");
    }
    allow(
        ruleset,
        cwd.as_ptr(),
        rights.fs,
        "allowing the working folder",
    )?;
    allow(
        ruleset,
        c"/dev/null".as_ptr(),
        rights.on_a_file(),
        "allowing /dev/null",
    )?;
    // SAFETY: plain calls on this process, with the arguments Linux documents.
    unsafe {
        if prctl(
            PR_SET_NO_NEW_PRIVS,
            1 as c_long,
            0 as c_long,
            0 as c_long,
            0 as c_long,
        ) != 0
        {
            return Err("prctl(PR_SET_NO_NEW_PRIVS)");
        }
        if syscall(SYS_RESTRICT_SELF, ruleset, 0u32) != 0 {
            return Err("landlock_restrict_self");
        }
    }
    Ok(())
}

/// Lets the process change what lies beneath `path` (NUL-terminated) with `access`.
fn allow(
    ruleset: c_int,
    path: *const c_char,
    access: u64,
    step: &'static str,
) -> Result<(), &'static str> {
    // SAFETY: `path` is NUL-terminated by every caller.
    let fd = unsafe { open(path, O_PATH | O_CLOEXEC) };
    if fd < 0 {
        return Err(step);
    }
    let rule = PathBeneathAttr {
        allowed_access: access,
        parent_fd: fd,
    };
    // SAFETY: `rule` outlives the call; `fd` is this function's own and closed after.
    let added = unsafe {
        let added = syscall(
            SYS_ADD_RULE,
            ruleset,
            RULE_PATH_BENEATH,
            &rule as *const PathBeneathAttr,
            0u32,
        );
        close(fd);
        added
    };
    if added != 0 {
        return Err(step);
    }
    Ok(())
}

fn say(text: &[u8]) {
    // SAFETY: writes the slice's own bytes to stderr.
    unsafe {
        write(2, text.as_ptr().cast(), text.len());
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    // SAFETY: ends the process; nothing here can panic, so this is never reached in practice.
    unsafe { _exit(UNCONFINED) }
}
