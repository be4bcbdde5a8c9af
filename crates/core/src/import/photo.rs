//! A profile photo in an import's cell: a `data:` URL, as a vCard's photo is
//! read (see [`super::vcard`]) and as a rows-to-fix file writes it back.
//!
//! Only photos held in the file are imported. A link to one on the web (Google's
//! exports link to its servers) or the name of a picture file is not fetched:
//! an import reads the file and nothing else, and works offline. Such cells are
//! counted in the report instead, and do not refuse their row: a CRM's "Photo"
//! or "Avatar" column of links must not stop its customers from importing.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::vcard::PHOTO_TOO_LARGE;
use crate::files::blobs::hex;
use crate::files::{user_image_edit, ImageRole, NewAttachment};
use crate::store::Edit;
use uuid::Uuid;

/// A photo read from a cell, checked to be an image the app shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Photo {
    /// What its bytes say it is, whatever the cell claimed.
    pub mime: &'static str,
    /// Lower-case hex SHA-256 of the bytes: the blob it is stored as.
    pub sha256: String,
    pub size: u64,
    /// Emptied once stored (or, in a dry run, once checked): a chunk of rows
    /// waiting to be written holds no pictures.
    pub bytes: Vec<u8>,
}

/// What a photo cell holds.
#[derive(Debug, PartialEq, Eq)]
pub enum PhotoCell {
    Photo(Photo),
    /// A link to a photo, or a picture file's name: not in the file, and not
    /// fetched.
    Elsewhere,
}

/// Base64 as vCard writers write it: padded or not.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The photo in a (non-empty, trimmed) cell, or why it is none, with the way
/// to import the contact anyway.
pub fn read(cell: &str) -> Result<PhotoCell, String> {
    check(cell).map_err(|why| {
        format!("{why}. To import the contact without it, choose “Don't import” for this column.")
    })
}

fn check(cell: &str) -> Result<PhotoCell, String> {
    if cell == PHOTO_TOO_LARGE {
        return Err(
            "This contact's photo is larger than 4 MB, more than a profile picture \
                    needs, so it was not read: make it smaller in the contacts app"
                .into(),
        );
    }
    if !cell
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("data:"))
    {
        return Ok(PhotoCell::Elsewhere);
    }
    let Some(data) = cell
        .split_once(',')
        .filter(|(head, _)| head.to_ascii_lowercase().ends_with(";base64"))
        .map(|(_, data)| data)
    else {
        return Err("This photo is damaged: its data: URL does not hold base64 \
                    (data:image/jpeg;base64,…)"
            .to_owned());
    };
    let bytes = BASE64
        .decode(data.trim())
        .map_err(|_| "This photo is damaged: its data is not valid base64".to_owned())?;
    let mime = match image_type(&bytes) {
        Ok(mime) => mime,
        Err(Some(other)) => {
            return Err(format!(
                "This photo is a {other} image, which Kith cannot show: save it as JPEG or PNG \
                 in the contacts app and export again"
            ))
        }
        Err(None) => return Err("This photo is damaged or not an image".to_owned()),
    };
    Ok(PhotoCell::Photo(Photo {
        mime,
        sha256: hex(&Sha256::digest(&bytes)),
        size: bytes.len() as u64,
        bytes,
    }))
}

/// The MIME type of an image the app shows, from its first bytes; else the
/// name of another image format recognised, if any.
fn image_type(bytes: &[u8]) -> Result<&'static str, Option<&'static str>> {
    let at = |from: usize, magic: &[u8]| bytes.get(from..from + magic.len()) == Some(magic);
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if at(0, b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Ok("image/gif")
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Ok("image/webp")
    } else if at(4, b"ftyp")
        && ["heic", "heix", "mif1", "msf1"]
            .iter()
            .any(|b| at(8, b.as_bytes()))
    {
        Err(Some("HEIC"))
    } else if at(0, b"BM") {
        Err(Some("BMP"))
    } else if at(0, b"II*\0") || at(0, b"MM\0*") {
        Err(Some("TIFF"))
    } else {
        Err(None)
    }
}

/// The file extension of an image type [`read`] accepts.
pub fn extension(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => "jpg",
    }
}

/// The attachment a user's imported photo is stored as (named after them, so
/// the Media tab says whose it is), and the avatar choice naming it. The row of
/// an avatar is the same on every desktop, so this sets, never adds, it.
pub(super) fn avatar_edits(user: Uuid, photo: &Photo, owner: &str, now: i64) -> (Uuid, [Edit; 2]) {
    let id = Uuid::now_v7();
    let owner = owner.trim();
    let stem: String = if owner.is_empty() { "Photo" } else { owner }
        .chars()
        .take(MAX_STEM_CHARS)
        // A file name's stem: a slash in a company's name ("A/S") is no folder.
        .map(|c| if matches!(c, '/' | '\\') { '-' } else { c })
        .collect();
    let attachment = NewAttachment {
        user_id: user,
        name: format!("{stem}.{}", extension(photo.mime)),
        mime: photo.mime,
        sha256: &photo.sha256,
        size: photo.size,
        created_at: now,
        created_by: None,
    };
    let avatar = user_image_edit(user, ImageRole::Avatar, Some(id));
    (id, [attachment.edit(id), avatar])
}

/// Characters of a photo's file name before its extension (names are at most
/// 255, and a name of 200 is already more than any list shows).
const MAX_STEM_CHARS: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    fn data_url(mime: &str, bytes: &[u8]) -> String {
        format!("data:{mime};base64,{}", BASE64.encode(bytes))
    }

    #[test]
    fn a_photo_is_told_by_its_bytes_not_its_label() {
        let Ok(PhotoCell::Photo(p)) = read(&data_url("image/jpeg", PNG)) else {
            panic!("a photo");
        };
        assert_eq!((p.mime, p.size, p.bytes.as_slice()), ("image/png", 16, PNG));
        assert_eq!(p.sha256, hex(&Sha256::digest(PNG)));
        let unlabelled = format!(
            "data:application/octet-stream;base64,{}",
            BASE64.encode(b"GIF89a\x01\0")
        );
        assert!(matches!(read(&unlabelled), Ok(PhotoCell::Photo(p)) if p.mime == "image/gif"));
        // Unpadded, as some writers leave it.
        let unpadded = data_url("image/png", PNG);
        let unpadded = unpadded.trim_end_matches('=');
        assert!(matches!(read(unpadded), Ok(PhotoCell::Photo(_))));
    }

    #[test]
    fn links_and_names_are_not_fetched_and_bad_photo_data_is_refused_with_why() {
        for elsewhere in [
            "https://lh3.googleusercontent.com/a/x",
            "HTTP://example.com/a.jpg",
            "www.example.com/a.jpg",
            "C:\\photos\\ann.jpg",
            "ann.jpg",
            "<part1@host>",
        ] {
            assert_eq!(read(elsewhere), Ok(PhotoCell::Elsewhere), "{elsewhere}");
        }
        let refused = |cell: &str| read(cell).expect_err(cell);
        assert!(refused("data:image/png,rawtext").contains("does not hold base64"));
        assert!(refused("data:image/png;base64,@@@").contains("not valid base64"));
        assert!(refused(&data_url("image/png", b"plain text")).contains("not an image"));
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0";
        assert!(refused(&data_url("image/heic", heic)).contains("HEIC image"));
        assert!(refused(PHOTO_TOO_LARGE).contains("larger than 4 MB"));
    }
}
