//! SQLite's own allocations through Rust's global allocator.
//!
//! SQLite calls the C library's `malloc` for every row value, statement and page
//! it handles. On Linux that is glibc's, which gives memory back to the system
//! whenever the top of its heap frees up and asks for it again on the next
//! batch: applying pulled changes spent a fifth of SQLite's time in glibc's
//! allocator and the kernel's page faults behind it. The binaries' global
//! allocator (mimalloc, see the workspace Cargo.toml) keeps freed memory for
//! reuse; routing SQLite through it took that cost away on every platform
//! alike, with no allocator-specific settings.
//!
//! Each block carries its size in an 8-byte header: SQLite asks a block's size
//! (`xSize`) and Rust's `dealloc` needs it, and 8 bytes keep the 8-byte
//! alignment SQLite requires.

use std::alloc::{self, Layout};
use std::ffi::{c_int, c_void};
use std::ptr;

use libsqlite3_sys as ffi;

const HEADER: usize = 8;
const ALIGN: usize = 8;

fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, ALIGN).ok()
}

/// The block `p` (as handed to SQLite) starts at, and the size SQLite asked for.
///
/// # Safety
/// `p` must come from [`x_malloc`] or [`x_realloc`] and not be freed.
unsafe fn block(p: *mut c_void) -> (*mut u8, usize) {
    let base = p.cast::<u8>().sub(HEADER);
    (base, base.cast::<u64>().read() as usize)
}

/// Writes the header of a block of `size` bytes at `base`; the pointer for SQLite.
///
/// # Safety
/// `base` must be a live allocation of at least `size + HEADER` bytes, aligned to 8.
unsafe fn finish(base: *mut u8, size: usize) -> *mut c_void {
    base.cast::<u64>().write(size as u64);
    base.add(HEADER).cast()
}

unsafe extern "C" fn x_malloc(n: c_int) -> *mut c_void {
    let Some(layout) = usize::try_from(n).ok().and_then(layout) else {
        return ptr::null_mut();
    };
    let base = alloc::alloc(layout);
    if base.is_null() {
        return ptr::null_mut();
    }
    finish(base, layout.size() - HEADER)
}

unsafe extern "C" fn x_free(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    let (base, size) = block(p);
    // The layout was valid when the block was made with it.
    alloc::dealloc(
        base,
        Layout::from_size_align_unchecked(size + HEADER, ALIGN),
    );
}

unsafe extern "C" fn x_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    // SQLite never reallocates a null pointer nor to zero bytes (it calls
    // xMalloc and xFree for those), but the contract costs nothing to keep.
    if p.is_null() {
        return x_malloc(n);
    }
    let Some(new) = usize::try_from(n).ok().and_then(layout) else {
        return ptr::null_mut();
    };
    let (base, size) = block(p);
    let grown = alloc::realloc(
        base,
        Layout::from_size_align_unchecked(size + HEADER, ALIGN),
        new.size(),
    );
    if grown.is_null() {
        return ptr::null_mut();
    }
    finish(grown, new.size() - HEADER)
}

unsafe extern "C" fn x_size(p: *mut c_void) -> c_int {
    if p.is_null() {
        return 0;
    }
    c_int::try_from(block(p).1).unwrap_or(c_int::MAX)
}

unsafe extern "C" fn x_roundup(n: c_int) -> c_int {
    n.checked_add(7).map_or(n, |m| m & !7)
}

unsafe extern "C" fn x_init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_shutdown(_: *mut c_void) {}

/// Routes SQLite's allocations through Rust's global allocator. Call it first
/// thing in `main`, before any thread starts and before any database opens:
/// SQLite accepts it only before its first use. Returns whether it took;
/// when it did not, SQLite keeps the C library's allocator and works as well,
/// only slower.
pub fn use_global_allocator() -> bool {
    let methods = ffi::sqlite3_mem_methods {
        xMalloc: Some(x_malloc),
        xFree: Some(x_free),
        xRealloc: Some(x_realloc),
        xSize: Some(x_size),
        xRoundup: Some(x_roundup),
        xInit: Some(x_init),
        xShutdown: Some(x_shutdown),
        pAppData: ptr::null_mut(),
    };
    // SAFETY: SQLITE_CONFIG_MALLOC copies the sqlite3_mem_methods it is given
    // before returning; its functions keep SQLite's allocator contract (8-byte
    // aligned blocks, xSize of any live block). sqlite3_config is not
    // thread-safe: the caller runs before any other thread (see above), and
    // SQLite refuses it once initialised.
    let rc = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &raw const methods) };
    if rc != ffi::SQLITE_OK {
        tracing::warn!(code = rc, "SQLite keeps the C library's allocator");
    }
    rc == ffi::SQLITE_OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_their_size_and_contents_through_realloc() {
        unsafe {
            let p = x_malloc(13);
            assert!(!p.is_null());
            assert_eq!(p as usize % 8, 0);
            assert_eq!(x_size(p), 13);
            ptr::copy_nonoverlapping(b"hello, sqlite".as_ptr(), p.cast::<u8>(), 13);
            let q = x_realloc(p, 4000);
            assert_eq!(x_size(q), 4000);
            assert_eq!(
                std::slice::from_raw_parts(q.cast::<u8>(), 13),
                b"hello, sqlite"
            );
            let r = x_realloc(q, 5);
            assert_eq!(x_size(r), 5);
            assert_eq!(std::slice::from_raw_parts(r.cast::<u8>(), 5), b"hello");
            x_free(r);
            x_free(ptr::null_mut());
            assert!(x_malloc(-1).is_null());
            assert_eq!(x_roundup(13), 16);
            assert_eq!(x_roundup(16), 16);
        }
    }
}
