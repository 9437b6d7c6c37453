//! The one error type of the crate.

use core::ffi::CStr;
use core::fmt;

/// Why an operation refused to run.
///
/// Every check happens before any byte of the caller's memory is written, so
/// an `Err` always means that every output buffer is exactly as it was.
/// The C ABI maps each variant to one `mixup_status` code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// A pointer was NULL while its length was not 0 (C ABI only).
    NullPointer,
    /// A parameter is out of its domain: a NaN, infinite or negative shape,
    /// `prob` outside `[0, 1]`, a lambda outside `[0, 1]`, a label smoothing
    /// outside `[0, 1]`, or slice lengths that do not describe one batch.
    InvalidArgument,
    /// A size computation (`n * len`, a byte count) overflowed, or a length
    /// exceeds what the index type or `isize::MAX` can address.
    SizeOverflow,
    /// In-place mixing was given partners that are not a permutation of `0..n`.
    BadPermutation,
    /// A partner index is not below `n`.
    IndexOutOfRange,
    /// A class id is negative or not below `num_classes`.
    LabelOutOfRange,
    /// Input and output buffers overlap in a way the operation cannot allow.
    Overlap,
    /// A scratch, workspace or output buffer is shorter than required.
    BufferTooSmall,
}

impl Error {
    /// Every error, for the C ABI's status messages.
    #[cfg(feature = "capi")]
    pub(crate) const ALL: [Error; 8] = [
        Error::NullPointer,
        Error::InvalidArgument,
        Error::SizeOverflow,
        Error::BadPermutation,
        Error::IndexOutOfRange,
        Error::LabelOutOfRange,
        Error::Overlap,
        Error::BufferTooSmall,
    ];

    /// A short, static, NUL-terminated description of the error: the one
    /// table behind [`message`](Self::message) and C's `mixup_status_str`.
    pub const fn c_message(self) -> &'static CStr {
        match self {
            Error::NullPointer => c"a pointer is NULL while its length is not 0",
            Error::InvalidArgument => {
                c"a parameter or length is out of its domain, or a pointer is misaligned"
            }
            Error::SizeOverflow => c"a size computation overflows",
            Error::BadPermutation => c"the partners are not a permutation of 0..n",
            Error::IndexOutOfRange => c"a partner index is not below n",
            Error::LabelOutOfRange => c"a class id is negative or not below num_classes",
            Error::Overlap => c"an output buffer overlaps another buffer",
            Error::BufferTooSmall => c"a buffer is shorter than required",
        }
    }

    /// A short, static description of the error.
    pub const fn message(self) -> &'static str {
        match self.c_message().to_str() {
            Ok(text) => text,
            Err(_) => "",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for Error {}

/// The result type of every fallible operation in this crate.
pub type Result<T> = core::result::Result<T, Error>;
