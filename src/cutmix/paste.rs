//! Moving the pixels of a CutMix box: the box of a whole sample is a set of
//! contiguous runs (one per row in HWC, one per row and channel in CHW),
//! copied between samples or packed into scratch and back.

use super::CutBox;
use crate::image::{ChannelOrder, ImageShape};

/// Calls `visit` with each contiguous run of elements that box `b` covers
/// in one sample of `image`, as an index range into the sample, in
/// increasing order. `b` must fit the image. A plain strided loop (no
/// iterator adaptors): a box of a 224x224 image is 158 runs or more, so
/// what each run costs beyond its copy shows.
fn for_each_run(image: ImageShape, b: CutBox, mut visit: impl FnMut(core::ops::Range<usize>)) {
    let ImageShape {
        channels,
        height,
        width,
        layout,
    } = image;
    let (rows, cols) = (b.rows(), b.columns());
    if rows.is_empty() || cols.is_empty() {
        return;
    }
    // (planes, plane stride, row stride, run length, first run's start)
    let (planes, plane_stride, row_stride, run, first) = match layout {
        ChannelOrder::Hwc => (
            1,
            0,
            width * channels,
            cols.len() * channels,
            (rows.start * width + cols.start) * channels,
        ),
        ChannelOrder::Chw => (
            channels,
            height * width,
            width,
            cols.len(),
            rows.start * width + cols.start,
        ),
    };
    for plane in 0..planes {
        let mut start = first + plane * plane_stride;
        for _ in rows.clone() {
            visit(start..start + run);
            start += row_stride;
        }
    }
}

/// Copies box `b` of `src` into the same place of `dst`; both are whole
/// samples of `image`.
pub(crate) fn paste<T: Copy>(dst: &mut [T], src: &[T], image: ImageShape, b: CutBox) {
    for_each_run(image, b, |r| dst[r.clone()].copy_from_slice(&src[r]));
}

/// Writes `own` outside box `b` and `partner` inside it into `dst`, all
/// whole samples of `image`, each element of `dst` once, each run by `copy`.
pub(crate) fn compose<T: Copy>(
    dst: &mut [T],
    own: &[T],
    partner: &[T],
    image: ImageShape,
    b: CutBox,
    mut copy: impl FnMut(&mut [T], &[T]),
) {
    let mut done = 0;
    // the runs come in increasing order in both layouts
    for_each_run(image, b, |r| {
        copy(&mut dst[done..r.start], &own[done..r.start]);
        copy(&mut dst[r.clone()], &partner[r.clone()]);
        done = r.end;
    });
    copy(&mut dst[done..], &own[done..]);
}

/// Copies box `b` of `src` into the front of `packed`, run after run.
pub(crate) fn pack<T: Copy>(packed: &mut [T], src: &[T], image: ImageShape, b: CutBox) {
    let mut at = 0;
    for_each_run(image, b, |r| {
        let next = at + r.len();
        packed[at..next].copy_from_slice(&src[r]);
        at = next;
    });
}

/// Copies what [`pack`] left at the front of `packed` back into box `b` of `dst`.
pub(crate) fn unpack<T: Copy>(dst: &mut [T], packed: &[T], image: ImageShape, b: CutBox) {
    let mut at = 0;
    for_each_run(image, b, |r| {
        let next = at + r.len();
        dst[r].copy_from_slice(&packed[at..next]);
        at = next;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_exactly_the_box_in_both_layouts() {
        for layout in [ChannelOrder::Hwc, ChannelOrder::Chw] {
            let image = ImageShape {
                channels: 3,
                height: 5,
                width: 7,
                layout,
            };
            let b = CutBox {
                y1: 1,
                y2: 4,
                x1: 2,
                x2: 6,
            };
            let mut covered = [false; 105];
            let mut last_end = 0;
            for_each_run(image, b, |r| {
                assert!(r.start >= last_end, "runs in increasing order");
                last_end = r.end;
                covered[r].fill(true);
            });
            for (i, &inside) in covered.iter().enumerate() {
                let (c, y, x) = match layout {
                    ChannelOrder::Hwc => (i % 3, i / 21, i / 3 % 7),
                    ChannelOrder::Chw => (i / 35, i / 7 % 5, i % 7),
                };
                assert!(c < 3);
                assert_eq!(inside, (1..4).contains(&y) && (2..6).contains(&x), "{i}");
            }
        }
    }
}
