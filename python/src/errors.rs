//! The library's errors as Python exceptions, each naming what was wrong.

use mixup::Error;
use pyo3::PyErr;
use pyo3::exceptions::{PyIndexError, PyOverflowError, PyValueError};

/// A Python exception for `error`, prefixed with `context` (the argument).
pub fn to_py(error: Error, context: &str) -> PyErr {
    let message = format!("{context}: {}", error.message());
    match error {
        Error::SizeOverflow => PyOverflowError::new_err(message),
        Error::IndexOutOfRange => PyIndexError::new_err(message),
        _ => PyValueError::new_err(message),
    }
}

/// A `ValueError` with this message.
pub fn value_error(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}
