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
    let error = Error::ALL
        .into_iter()
        .find(|&e| mixup_status::from(e) as c_int == status);
    let message = match (status, error) {
        (0, _) => c"success",
        (_, Some(e)) => e.c_message(),
        (_, None) => c"unknown status",
    };
    message.as_ptr()
}
