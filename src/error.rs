//! The one error type of the crate.

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
    /// A short, static description of the error.
    pub const fn message(self) -> &'static str {
        match self {
            Error::NullPointer => "a pointer is NULL while its length is not 0",
            Error::InvalidArgument => "a parameter or length is out of its domain",
            Error::SizeOverflow => "a size computation overflows",
            Error::BadPermutation => "the partners are not a permutation of 0..n",
            Error::IndexOutOfRange => "a partner index is not below n",
            Error::LabelOutOfRange => "a class id is negative or not below num_classes",
            Error::Overlap => "input and output buffers overlap",
            Error::BufferTooSmall => "a buffer is shorter than required",
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
