//! Command-line options of the desktop app.

use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Where the database and files live; the OS app data dir when `None`.
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OptionsError {
    #[error("--data-dir needs a directory after it")]
    MissingDataDir,
    #[error("unknown option {0:?} (kith accepts --data-dir DIR)")]
    Unknown(String),
}

impl Options {
    /// `--data-dir DIR` (or `--data-dir=DIR`) wins over `KITH_DATA_DIR`.
    pub fn parse(
        mut args: impl Iterator<Item = String>,
        env: Option<OsString>,
    ) -> Result<Options, OptionsError> {
        let mut data_dir = env.filter(|v| !v.is_empty()).map(PathBuf::from);
        while let Some(arg) = args.next() {
            if arg == "--data-dir" {
                data_dir = Some(args.next().ok_or(OptionsError::MissingDataDir)?.into());
            } else if let Some(dir) = arg.strip_prefix("--data-dir=") {
                data_dir = Some(dir.into());
            } else if arg.starts_with("-psn_") {
                // macOS passes a process serial number to apps opened from Finder.
            } else {
                return Err(OptionsError::Unknown(arg));
            }
        }
        Ok(Options { data_dir })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str], env: Option<&str>) -> Result<Options, OptionsError> {
        Options::parse(
            args.iter().map(|s| (*s).to_owned()),
            env.map(OsString::from),
        )
    }

    #[test]
    fn flag_beats_env_and_env_beats_default() {
        assert_eq!(parse(&[], None).unwrap().data_dir, None);
        assert_eq!(parse(&[], Some("/e")).unwrap().data_dir, Some("/e".into()));
        assert_eq!(
            parse(&["--data-dir", "/f"], Some("/e")).unwrap().data_dir,
            Some("/f".into())
        );
        assert_eq!(
            parse(&["--data-dir=/g"], None).unwrap().data_dir,
            Some("/g".into())
        );
        assert_eq!(
            parse(&["--data-dir"], None),
            Err(OptionsError::MissingDataDir)
        );
        assert!(matches!(
            parse(&["--nope"], None),
            Err(OptionsError::Unknown(_))
        ));
    }
}
