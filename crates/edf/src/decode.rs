//! Sample decoding kernels: little-endian 16-bit (EDF) and 24-bit (BDF) two's complement to
//! physical `f32` or digital `i32`. Written so that the compiler vectorises the EDF paths.

/// An output sample type: physical `f32` or digital `i32`.
pub trait Sample: Copy + Send + Sync + Default + 'static {
    /// Decode `dst.len()` samples from `src` (`2 × len` or `3 × len` bytes).
    fn decode(src: &[u8], bdf: bool, gain: f64, offset: f64, dst: &mut [Self]);
}

impl Sample for f32 {
    #[inline(always)]
    fn decode(src: &[u8], bdf: bool, gain: f64, offset: f64, dst: &mut [f32]) {
        if bdf { bdf_physical(src, gain, offset, dst) } else { edf_physical(src, gain, offset, dst) }
    }
}

impl Sample for i32 {
    #[inline(always)]
    fn decode(src: &[u8], bdf: bool, _gain: f64, _offset: f64, dst: &mut [i32]) {
        if bdf {
            for (d, c) in dst.iter_mut().zip(src.chunks_exact(3)) {
                *d = i24(c[0], c[1], c[2]);
            }
        } else {
            for (d, c) in dst.iter_mut().zip(src.chunks_exact(2)) {
                *d = i16::from_le_bytes([c[0], c[1]]) as i32;
            }
        }
    }
}

/// Sign-extend a little-endian 24-bit value.
#[inline(always)]
pub(crate) fn i24(b0: u8, b1: u8, b2: u8) -> i32 {
    (((b0 as u32) << 8 | (b1 as u32) << 16 | (b2 as u32) << 24) as i32) >> 8
}

/// `physical = gain × digital + offset`, computed in f64 (as EDFlib/pyedflib do) and rounded to
/// f32 once.
#[inline(always)]
fn edf_physical(src: &[u8], gain: f64, offset: f64, dst: &mut [f32]) {
    for (d, c) in dst.iter_mut().zip(src.chunks_exact(2)) {
        *d = (i16::from_le_bytes([c[0], c[1]]) as f64 * gain + offset) as f32;
    }
}

#[inline(always)]
fn bdf_physical(src: &[u8], gain: f64, offset: f64, dst: &mut [f32]) {
    for (d, c) in dst.iter_mut().zip(src.chunks_exact(3)) {
        *d = (i24(c[0], c[1], c[2]) as f64 * gain + offset) as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bdf_sign_extension() {
        assert_eq!(i24(0xFF, 0xFF, 0x7F), 8_388_607);
        assert_eq!(i24(0x00, 0x00, 0x80), -8_388_608);
        assert_eq!(i24(0xFF, 0xFF, 0xFF), -1);
        assert_eq!(i24(0x01, 0x00, 0x00), 1);
        let mut d = [0i32; 2];
        i32::decode(&[0xFE, 0xFF, 0xFF, 0x10, 0x27, 0x00], true, 1.0, 0.0, &mut d);
        assert_eq!(d, [-2, 10000]);
        let mut f = [0f32; 2];
        f32::decode(&[0x00, 0x80, 0xFF, 0x7F], false, 0.5, 1.0, &mut f);
        assert_eq!(f, [-16383.0, 16384.5]);
    }
}
