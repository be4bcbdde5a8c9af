//! Image thumbnails for the Files and Media tabs: at most 256 px on a side, as
//! PNG, cached under `<data dir>/thumbs/<sha256>.png`. The blob store is
//! content-addressed, so a thumbnail named by its image's hash never goes stale.
//!
//! Everything here is blocking (decoding, disk): call it from `spawn_blocking`.

use std::io::Cursor;
use std::path::Path;

use base64::Engine;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use kith_core::files::is_sha256;
use kith_core::ErrorKind;

use crate::error::{CmdResult, KithError};

pub const THUMBS_DIR: &str = "thumbs";
/// What a preview is for: its longest side and its format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Tiles, avatars: 256 px, sharp in a 128 px tile on a 2× screen. PNG.
    Thumb,
    /// A profile's cover band: 1600 px, as JPEG (a photo as PNG would be megabytes).
    Cover,
}

impl Size {
    fn max_side(self) -> u32 {
        match self {
            Size::Thumb => 256,
            Size::Cover => 1600,
        }
    }

    fn format(self) -> (image::ImageFormat, &'static str, &'static str) {
        match self {
            Size::Thumb => (image::ImageFormat::Png, "png", "image/png"),
            Size::Cover => (image::ImageFormat::Jpeg, "jpg", "image/jpeg"),
        }
    }

    /// The cache file's name; thumbnails keep the name they always had.
    fn file_name(self, sha256: &str) -> String {
        match self {
            Size::Thumb => format!("{sha256}.png"),
            Size::Cover => format!("{sha256}-cover.jpg"),
        }
    }
}
/// Larger images are refused before decoding: a 50 MP photo already takes 200 MB
/// decoded, and a crafted header can claim far more.
const MAX_PIXELS: u64 = 50_000_000;

/// The thumbnail of the image at `source` (whose content hashes to `sha256`) as
/// a `data:image/png;base64,…` URL; `None` when the format is not one Kith reads.
pub fn data_url(
    source: &Path,
    cache_dir: &Path,
    sha256: &str,
    size: Size,
) -> CmdResult<Option<String>> {
    if !is_sha256(sha256) {
        return Err(KithError::internal("an attachment's hash is malformed"));
    }
    let cached = cache_dir.join(size.file_name(sha256));
    let bytes = match std::fs::read(&cached) {
        Ok(bytes) => bytes,
        Err(_) => {
            let Some(bytes) = render_file(source, size)? else {
                return Ok(None);
            };
            store(cache_dir, &cached, &bytes);
            bytes
        }
    };
    Ok(Some(url_of(&bytes, size)))
}

fn url_of(encoded_image: &[u8], size: Size) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(encoded_image);
    format!("data:{};base64,{encoded}", size.format().2)
}

/// The thumbnail of an image held in memory (an import's photo, not stored
/// yet), uncached; `None` when it cannot be read, as a preview does without.
pub fn data_url_of_bytes(image: &[u8], size: Size) -> Option<String> {
    let reader = ImageReader::new(Cursor::new(image)).with_guessed_format();
    match reader
        .map_err(|e| unreadable(&e))
        .and_then(|r| render(r, size))
    {
        Ok(rendered) => rendered.map(|bytes| url_of(&bytes, size)),
        Err(e) => {
            tracing::debug!(error = %e.message, "no preview of an image");
            None
        }
    }
}

fn unreadable(e: &dyn std::fmt::Display) -> KithError {
    KithError::new(
        ErrorKind::Validation,
        format!("Kith cannot read this image: {e}"),
    )
}

/// [`render`] of the image in the file at `source`.
fn render_file(source: &Path, size: Size) -> CmdResult<Option<Vec<u8>>> {
    let reader = ImageReader::open(source)
        .and_then(ImageReader::with_guessed_format)
        .map_err(|e| unreadable(&e))?;
    render(reader, size)
}

/// Decodes, turns upright (phone photos are stored sideways with an EXIF
/// orientation) and shrinks the image. `None` for formats not compiled in.
fn render<R: std::io::BufRead + std::io::Seek>(
    reader: ImageReader<R>,
    size: Size,
) -> CmdResult<Option<Vec<u8>>> {
    if reader.format().is_none() {
        return Ok(None);
    }
    let mut decoder = match reader.into_decoder() {
        Ok(decoder) => decoder,
        Err(image::ImageError::Unsupported(_)) => return Ok(None),
        Err(e) => return Err(unreadable(&e)),
    };
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(KithError::new(
            ErrorKind::Validation,
            format!("This image is too large for a preview ({width} × {height} pixels)"),
        ));
    }
    let mut limits = Limits::default();
    // Room for the pixels at 4 bytes each (16-bit images get the default headroom).
    limits.max_alloc = Some(MAX_PIXELS * 8);
    decoder.set_limits(limits).map_err(|e| unreadable(&e))?;
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| unreadable(&e))?;
    if let Some(orientation) = orientation {
        img.apply_orientation(orientation);
    }
    let side = size.max_side();
    let mut thumb = img.thumbnail(side, side);
    let (format, _, _) = size.format();
    if format == image::ImageFormat::Jpeg {
        // JPEG has no alpha channel.
        thumb = DynamicImage::ImageRgb8(thumb.to_rgb8());
    }
    let mut out = Vec::new();
    thumb
        .write_to(&mut Cursor::new(&mut out), format)
        .map_err(KithError::internal)?;
    Ok(Some(out))
}

/// Best effort: a thumbnail that cannot be cached is made again next time.
fn store(cache_dir: &Path, dest: &Path, png: &[u8]) {
    let written = std::fs::create_dir_all(cache_dir)
        .and_then(|()| tempfile::NamedTempFile::new_in(cache_dir))
        .and_then(|mut tmp| {
            std::io::Write::write_all(&mut tmp, png)?;
            // Whole or absent: a reader never sees half a thumbnail.
            tmp.persist(dest).map_err(|e| e.error)?;
            Ok(())
        });
    if let Err(e) = written {
        tracing::warn!(error = %e, "could not cache a thumbnail");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn a_large_photo_becomes_a_small_cached_png() {
        let dir = tempfile::tempdir().expect("temp dir");
        let source = dir.path().join("photo");
        DynamicImage::new_rgb8(1200, 600)
            .save_with_format(&source, image::ImageFormat::Jpeg)
            .expect("write jpeg");
        let cache = dir.path().join(THUMBS_DIR);
        let url = data_url(&source, &cache, SHA, Size::Thumb)
            .expect("thumbnail")
            .expect("an image");
        assert!(url.starts_with("data:image/png;base64,"));
        let png = std::fs::read(cache.join(format!("{SHA}.png"))).expect("cached");
        let thumb = image::load_from_memory(&png).expect("png");
        assert_eq!((thumb.width(), thumb.height()), (256, 128));
    }

    #[test]
    fn a_cover_is_a_wide_jpeg_cached_beside_the_thumbnail() {
        let dir = tempfile::tempdir().expect("temp dir");
        let source = dir.path().join("photo");
        DynamicImage::new_rgba8(3200, 800)
            .save_with_format(&source, image::ImageFormat::Png)
            .expect("write png");
        let cache = dir.path().join(THUMBS_DIR);
        let url = data_url(&source, &cache, SHA, Size::Cover)
            .expect("cover")
            .expect("an image");
        assert!(url.starts_with("data:image/jpeg;base64,"));
        let jpeg = std::fs::read(cache.join(format!("{SHA}-cover.jpg"))).expect("cached");
        let cover = image::load_from_memory(&jpeg).expect("jpeg");
        assert_eq!((cover.width(), cover.height()), (1600, 400));
    }

    #[test]
    fn files_that_are_not_images_have_no_thumbnail() {
        let dir = tempfile::tempdir().expect("temp dir");
        let source = dir.path().join("notes");
        std::fs::write(&source, "just text").expect("write");
        let cache = dir.path().join(THUMBS_DIR);
        assert_eq!(
            data_url(&source, &cache, SHA, Size::Thumb).expect("no error"),
            None
        );
    }
}
