//! A child process's peak memory: how the benchmarks and the memory tests
//! measure what a `kith-cli` run costs. Shared as a file (the tests include it
//! with `#[path]`), because the binary crate has no library to import from.

use std::io;
use std::process::{Child, ExitStatus};

/// Waits for `child` to exit: how it exited, and its peak RSS in MB where the
/// OS reports it.
#[cfg(target_os = "linux")]
pub fn wait_with_peak_rss(child: Child) -> io::Result<(ExitStatus, Option<f64>)> {
    use std::os::unix::process::ExitStatusExt;
    let (status, maxrss_kb) = linux::wait4(child.id())?;
    // wait4 reaped the child: `child` must not be waited on again, only dropped.
    drop(child);
    Ok((
        ExitStatus::from_raw(status),
        Some(maxrss_kb as f64 / 1024.0),
    ))
}

/// Where wait4's peak RSS is not available: only how it exited.
#[cfg(not(target_os = "linux"))]
pub fn wait_with_peak_rss(mut child: Child) -> io::Result<(ExitStatus, Option<f64>)> {
    Ok((child.wait()?, None))
}

/// `wait4(2)`, the one call that gives a particular child's peak RSS (getrusage's
/// RUSAGE_CHILDREN only has the largest of all children so far). Declared here
/// rather than pulling in the libc crate for one function; the struct is Linux's
/// `struct rusage` on every architecture Rust supports there.
#[cfg(target_os = "linux")]
mod linux {
    use std::ffi::{c_int, c_long};

    #[repr(C)]
    struct Timeval {
        sec: c_long,
        usec: c_long,
    }

    #[repr(C)]
    struct Rusage {
        utime: Timeval,
        stime: Timeval,
        /// Peak resident set size, in KiB.
        maxrss: c_long,
        /// ixrss … nivcsw: not used.
        rest: [c_long; 13],
    }

    extern "C" {
        #[link_name = "wait4"]
        fn sys_wait4(pid: c_int, status: *mut c_int, options: c_int, rusage: *mut Rusage) -> c_int;
    }

    /// Waits for child `pid` to exit: its raw wait status and peak RSS in KiB.
    pub fn wait4(pid: u32) -> std::io::Result<(c_int, c_long)> {
        let pid = c_int::try_from(pid).map_err(std::io::Error::other)?;
        let mut status: c_int = 0;
        let mut usage = Rusage {
            utime: Timeval { sec: 0, usec: 0 },
            stime: Timeval { sec: 0, usec: 0 },
            maxrss: 0,
            rest: [0; 13],
        };
        loop {
            // SAFETY: both pointers are to live, properly laid out locals for the
            // duration of the call; `pid` is our own unreaped child.
            let r = unsafe { sys_wait4(pid, &mut status, 0, &mut usage) };
            if r == pid {
                return Ok((status, usage.maxrss));
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
}
