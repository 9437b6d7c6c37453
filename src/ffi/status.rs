//! `mixup_status`: the result of every call, and its messages.

use super::*;

/// The result of every call. The numbers are fixed and never reused.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mixup_status {
    /// Success.
    Ok = 0,
    /// A pointer is NULL while its length is not 0.
    NullPointer = 1,
    /// A parameter is NaN, infinite, negative or otherwise out of its
    /// domain, an enum value is unknown, or a pointer is misaligned.
    InvalidArgument = 2,
    /// A size computation overflows, or a buffer exceeds `PTRDIFF_MAX` bytes.
    SizeOverflow = 3,
    /// In-place mixing was given partners that are not a permutation.
    BadPermutation = 4,
    /// A partner index is not below `n`.
    IndexOutOfRange = 5,
    /// A class id is negative or not below `num_classes`.
    LabelOutOfRange = 6,
    /// An output buffer overlaps another buffer of the call.
    Overlap = 7,
    /// A buffer is shorter than the call needs.
    BufferTooSmall = 8,
}

impl From<Error> for mixup_status {
    fn from(e: Error) -> Self {
        match e {
            Error::NullPointer => mixup_status::NullPointer,
            Error::InvalidArgument => mixup_status::InvalidArgument,
            Error::SizeOverflow => mixup_status::SizeOverflow,
            Error::BadPermutation => mixup_status::BadPermutation,
            Error::IndexOutOfRange => mixup_status::IndexOutOfRange,
            Error::LabelOutOfRange => mixup_status::LabelOutOfRange,
            Error::Overlap => mixup_status::Overlap,
            Error::BufferTooSmall => mixup_status::BufferTooSmall,
        }
    }
}

pub(crate) fn status_of(result: Result<()>) -> mixup_status {
    match result {
        Ok(()) => mixup_status::Ok,
        Err(e) => e.into(),
    }
}

/// A static, NUL-terminated message for a status; any int is accepted.
#[unsafe(no_mangle)]
pub extern "C" fn mixup_status_str(status: c_int) -> *const c_char {
    let message: &CStr = match status {
        0 => c"success",
        1 => c"a pointer is NULL while its length is not 0",
        2 => c"a parameter is out of its domain, or a pointer is misaligned",
        3 => c"a size computation overflows",
        4 => c"the partners are not a permutation of 0..n",
        5 => c"a partner index is not below n",
        6 => c"a class id is negative or not below num_classes",
        7 => c"an output buffer overlaps another buffer",
        8 => c"a buffer is shorter than required",
        _ => c"unknown status",
    };
    message.as_ptr()
}
