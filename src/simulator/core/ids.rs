//! Random identifiers and secrets. Drawn from entropy-seeded generators,
//! never from the data seed, so tokens cannot be guessed from the data.

use fastrand::Rng;

/// Version-4 UUID text from `rng`: random for request and job ids; CXone's
/// directory GUIDs pass a data-seeded `rng` to stay deterministic.
pub(crate) fn random_uuid(rng: &mut Rng) -> String {
    let v = rng.u128(..) & !(0xF << 76) & !(0x3 << 62) | (0x4 << 76) | (0x2 << 62);
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `n` characters of the URL-safe base64 alphabet, as opaque tokens look.
pub(crate) fn random_text(rng: &mut Rng, n: usize) -> String {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..n)
        .map(|_| ALPHA[rng.usize(..ALPHA.len())] as char)
        .collect()
}
