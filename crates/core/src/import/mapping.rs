//! Which user field each CSV column feeds, guessed from the header names of the
//! exports small businesses have (Google, Outlook, Apple, HubSpot, Mailchimp,
//! Shopify, spreadsheets) in the major European languages. The person importing
//! can change any guess.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::text::match_key;

/// Where a column's values go.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export, rename = "ImportTarget")]
pub enum Target {
    FirstName,
    LastName,
    /// "Zoë Müller": split into first and last name when those are not mapped.
    FullName,
    Email,
    MobilePhone,
    HomePhone,
    /// A phone of unknown kind: the mobile if free, else the home phone.
    Phone,
    /// The kind of the phone in the paired value column, as in Google's
    /// "Phone 1 - Type" / "Phone 1 - Value".
    PhoneType {
        slot: u32,
    },
    PhoneValue {
        slot: u32,
    },
    AppUserId,
    StripeCustomerId,
    Street,
    City,
    Region,
    PostalCode,
    Country,
    /// Team names; several in one cell separated by ";", "," or " ::: ".
    Teams,
    CreatedAt,
    /// A Kith id from an export, to update that user on re-import.
    KithId,
    /// The profile photo, held in the cell as a `data:` URL (a vCard's photo;
    /// a rows-to-fix file keeps it so). A link to a photo on the web is not
    /// fetched: an import reads only the file.
    Photo,
    /// A custom field, by name: values are read as its kind (a number, a date, an
    /// option, …). A new name creates a text field. Guessed only for headers that
    /// name one of the workspace's fields.
    Custom {
        name: String,
    },
    Ignore,
}

/// Header spellings, folded (lower case, no accents, punctuation as spaces).
const SYNONYMS: &[(Target, &[&str])] = &[
    (
        Target::FirstName,
        &[
            "first name",
            "firstname",
            "first",
            "given name",
            "givenname",
            "forename",
            "vorname",
            "prenom",
            "nombre",
            "nome",
            "primo nome",
            "voornaam",
            "fornavn",
            "fornamn",
            "etunimi",
            "imie",
            "jmeno",
            "keresztnev",
            "primeiro nome",
            "имя",
            "ονομα",
            "adi",
            "customer first name",
        ],
    ),
    (
        Target::LastName,
        &[
            "last name",
            "lastname",
            "last",
            "surname",
            "family name",
            "familyname",
            "nachname",
            "familienname",
            "nom de famille",
            "apellido",
            "apellidos",
            "cognome",
            "sobrenome",
            "achternaam",
            "efternavn",
            "efternamn",
            "etternavn",
            "sukunimi",
            "nazwisko",
            "prijmeni",
            "vezeteknev",
            "фамилия",
            "επωνυμο",
            "soyad",
            "soyadi",
            "customer last name",
        ],
    ),
    (
        Target::FullName,
        &[
            "name",
            "full name",
            "fullname",
            "display name",
            "contact name",
            "customer name",
            "contact",
            "customer",
            "naam",
            "nome completo",
            "nombre completo",
            "nom complet",
            "nom",
            "vollstandiger name",
            "kunde",
            "client",
        ],
    ),
    (
        Target::Email,
        &[
            "email",
            "e mail",
            "email address",
            "e mail address",
            "mail",
            "emailadresse",
            "e mail adresse",
            "courriel",
            "adresse e mail",
            "adresse email",
            "correo",
            "correo electronico",
            "posta elettronica",
            "indirizzo email",
            "e mailadres",
            "sahkoposti",
            "correio eletronico",
            "эл почта",
            "электронная почта",
            "email адрес",
            "ηλεκτρονικο ταχυδρομειο",
            "e posta",
            "eposta",
            "epost",
            "e post",
            "primary email",
            "customer email",
        ],
    ),
    (
        Target::MobilePhone,
        &[
            "mobile",
            "mobile phone",
            "mobile number",
            "mobile phone number",
            "cell",
            "cell phone",
            "cellphone",
            "mobiltelefon",
            "handy",
            "handynummer",
            "portable",
            "telephone portable",
            "movil",
            "telefono movil",
            "celular",
            "cellulare",
            "mobiel",
            "mobiele telefoon",
            "gsm",
            "mobilnummer",
            "matkapuhelin",
            "komorka",
            "telemovel",
            "мобильный",
            "мобильный телефон",
            "сотовый",
            "κινητο",
            "κινητο τηλεφωνο",
            "cep telefonu",
            "telefon komorkowy",
            "mobilni telefon",
            "mobil",
        ],
    ),
    (
        Target::HomePhone,
        &[
            "home phone",
            "home telephone",
            "telefon privat",
            "telefone residencial",
            "telephone domicile",
            "telefono casa",
            "telefono fijo",
            "thuis telefoon",
            "home phone 2",
        ],
    ),
    (
        Target::Phone,
        &[
            "phone",
            "phone number",
            "telephone",
            "telephone number",
            "telefon",
            "tel",
            "telefonnummer",
            "telefono",
            "telefone",
            "telefoonnummer",
            "business phone",
            "work phone",
            "primary phone",
            "default address phone",
            "puhelin",
            "телефон",
            "τηλεφωνο",
        ],
    ),
    (
        Target::AppUserId,
        &["app user id", "user id", "userid", "app id", "app user"],
    ),
    (
        Target::StripeCustomerId,
        &[
            "stripe id",
            "stripe customer id",
            "stripe customer",
            "stripe",
        ],
    ),
    (
        Target::Street,
        &[
            "street",
            "address",
            "address 1",
            "address1",
            "street address",
            "address line 1",
            "strasse",
            "adresse",
            "rue",
            "calle",
            "direccion",
            "via",
            "indirizzo",
            "straat",
            "gata",
            "home street",
            "default address address1",
            "mailing street",
            "morada",
            "endereco",
            "адрес",
            "διευθυνση",
            "adres",
            "ulica",
            "ulice",
            "utca",
        ],
    ),
    (
        Target::City,
        &[
            "city",
            "town",
            "ort",
            "stadt",
            "ville",
            "ciudad",
            "citta",
            "cidade",
            "plaats",
            "stad",
            "by",
            "home city",
            "default address city",
            "mailing city",
            "город",
            "πολη",
            "sehir",
            "miasto",
            "mesto",
            "varos",
        ],
    ),
    (
        Target::Region,
        &[
            "state",
            "region",
            "province",
            "county",
            "bundesland",
            "provincia",
            "provincie",
            "home state",
            "state province",
            "state region",
            "default address province code",
            "default address province",
            "mailing state",
        ],
    ),
    (
        Target::PostalCode,
        &[
            "zip",
            "zip code",
            "zipcode",
            "postal code",
            "postcode",
            "post code",
            "plz",
            "postleitzahl",
            "code postal",
            "codigo postal",
            "cap",
            "postnummer",
            "home postal code",
            "default address zip",
            "mailing zip",
            "индекс",
            "почтовый индекс",
            "ταχυδρομικοσ κωδικασ",
            "posta kodu",
            "kod pocztowy",
            "psc",
            "iranyitoszam",
        ],
    ),
    (
        Target::Country,
        &[
            "country",
            "country region",
            "country code",
            "land",
            "pays",
            "pais",
            "paese",
            "maa",
            "home country region",
            "home country",
            "default address country code",
            "default address country",
            "mailing country",
            "страна",
            "χωρα",
            "ulke",
            "zeme",
            "orszag",
        ],
    ),
    (
        Target::Teams,
        &[
            "team",
            "teams",
            "group",
            "groups",
            "group membership",
            "tags",
            "labels",
            "categories",
            "gruppe",
            "groupe",
            "grupo",
        ],
    ),
    (
        Target::CreatedAt,
        &[
            "created at",
            "created",
            "date added",
            "signup date",
            "sign up date",
            "customer since",
            "member since",
            "erstellt",
            "erstellt am",
            "angelegt am",
            "kunde seit",
            "date de creation",
            "client depuis",
            "fecha de alta",
            "cliente desde",
            "cliente dal",
            "klant sinds",
        ],
    ),
    (Target::KithId, &["kith id"]),
    (
        Target::Photo,
        &[
            "photo",
            "picture",
            "avatar",
            "profile photo",
            "profile picture",
            "profile image",
            "foto",
            "bild",
            "profilbild",
            "photo de profil",
            "foto de perfil",
            "foto profilo",
        ],
    ),
];

/// A header folded to compare: lower case, accents removed, punctuation as spaces,
/// and Greek's word-final sigma as the plain one ("ΚΩΔΙΚΑΣ" folds to "κωδικασ").
fn normalize(header: &str) -> String {
    match_key(header)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Google's numbered columns: "Phone 1 - Type", "E-mail 2 - Value",
/// "Address 1 - Postal Code".
fn numbered(header: &str) -> Option<Target> {
    let words: Vec<&str> = header.split(' ').collect();
    let slot_at = words.iter().position(|w| w.parse::<u32>().is_ok())?;
    let slot: u32 = words[slot_at].parse().ok()?;
    let kind = words[..slot_at].join(" ");
    let part = words[slot_at + 1..].join(" ");
    match (kind.as_str(), part.as_str()) {
        ("phone", "type" | "label") => Some(Target::PhoneType { slot }),
        ("phone", "value") => Some(Target::PhoneValue { slot }),
        ("e mail" | "email", "value") if slot == 1 => Some(Target::Email),
        ("address", "street") if slot == 1 => Some(Target::Street),
        ("address", "city") if slot == 1 => Some(Target::City),
        ("address", "region") if slot == 1 => Some(Target::Region),
        ("address", "postal code") if slot == 1 => Some(Target::PostalCode),
        ("address", "country") if slot == 1 => Some(Target::Country),
        _ => None,
    }
}

/// The guessed target of one header, before conflicts are settled.
pub fn guess(header: &str) -> Target {
    let h = normalize(header);
    if let Some(t) = numbered(&h) {
        return t;
    }
    SYNONYMS
        .iter()
        .find(|(_, names)| names.contains(&h.as_str()))
        .map_or(Target::Ignore, |(t, _)| t.clone())
}

/// Guesses a target for every header. A single-valued field is fed by the first
/// column that claims it; later claimants are ignored, so nothing is written twice.
pub fn auto_map(headers: &[String]) -> Vec<Target> {
    let mut taken = std::collections::HashSet::new();
    let mut targets: Vec<Target> = headers
        .iter()
        .map(|h| {
            let t = guess(h);
            if t == Target::Ignore || taken.insert(t.clone()) {
                t
            } else {
                Target::Ignore
            }
        })
        .collect();
    // French exports pair "Prénom" with "Nom", which there means the last name.
    if taken.contains(&Target::FirstName) && !taken.contains(&Target::LastName) {
        for (t, h) in targets.iter_mut().zip(headers) {
            if *t == Target::FullName && normalize(h) == "nom" {
                *t = Target::LastName;
            }
        }
    }
    targets
}

/// [`auto_map`], with every header named like one of the workspace's custom
/// fields (ignoring case, accents and punctuation) mapped to that field — what an
/// export of them writes. A custom field wins over a built-in synonym: the team
/// defined it on purpose, and its name can never be a header the export writes
/// for a built-in field (see `fields::Fields::create`).
pub fn auto_map_with(headers: &[String], fields: &crate::fields::Catalog) -> Vec<Target> {
    let mut targets = auto_map(headers);
    let mut taken = std::collections::HashSet::new();
    for (target, header) in targets.iter_mut().zip(headers) {
        let h = normalize(header);
        if let Some(f) = fields.fields.iter().find(|f| normalize(&f.name) == h) {
            if taken.insert(f.id) {
                *target = Target::Custom {
                    name: f.name.clone(),
                };
            }
        }
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;
    use Target::*;

    fn map(headers: &[&str]) -> Vec<Target> {
        auto_map(&headers.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn google_contacts() {
        assert_eq!(
            map(&[
                "Name",
                "Given Name",
                "Family Name",
                "E-mail 1 - Type",
                "E-mail 1 - Value",
                "E-mail 2 - Value",
                "Phone 1 - Type",
                "Phone 1 - Value",
                "Phone 2 - Type",
                "Phone 2 - Value",
                "Address 1 - Street",
                "Address 1 - City",
                "Address 1 - Postal Code",
                "Group Membership"
            ]),
            vec![
                FullName,
                FirstName,
                LastName,
                Ignore,
                Email,
                Ignore,
                PhoneType { slot: 1 },
                PhoneValue { slot: 1 },
                PhoneType { slot: 2 },
                PhoneValue { slot: 2 },
                Street,
                City,
                PostalCode,
                Teams
            ]
        );
        // Outlook's and a vCard's categories are labels, as teams are.
        assert_eq!(map(&["Categories"]), vec![Teams]);
        // The 2022+ layout says "Label" where the old one said "Type".
        assert_eq!(map(&["Phone 1 - Label"]), vec![PhoneType { slot: 1 }]);
    }

    #[test]
    fn portuguese_russian_greek_and_turkish_headers() {
        let row = [
            FirstName,
            LastName,
            Email,
            MobilePhone,
            Phone,
            Street,
            City,
            PostalCode,
            Country,
        ];
        for headers in [
            [
                "Primeiro nome",
                "Sobrenome",
                "Correio eletrónico",
                "Telemóvel",
                "Telefone",
                "Morada",
                "Cidade",
                "Código postal",
                "País",
            ],
            [
                "Имя",
                "Фамилия",
                "Эл. почта",
                "Мобильный телефон",
                "Телефон",
                "Адрес",
                "Город",
                "Почтовый индекс",
                "Страна",
            ],
            [
                "Όνομα",
                "Επώνυμο",
                "Ηλεκτρονικό ταχυδρομείο",
                "Κινητό",
                "Τηλέφωνο",
                "Διεύθυνση",
                "Πόλη",
                "ΤΑΧΥΔΡΟΜΙΚΟΣ ΚΩΔΙΚΑΣ",
                "Χώρα",
            ],
            [
                "Adı",
                "Soyadı",
                "E-posta",
                "Cep Telefonu",
                "Telefon",
                "Adres",
                "Şehir",
                "Posta Kodu",
                "Ülke",
            ],
        ] {
            assert_eq!(map(&headers), row, "{headers:?}");
        }
    }

    #[test]
    fn words_that_mean_something_else_next_door_are_left_to_the_person() {
        // Czech "Kraj" is a region (Polish "Kraj" a country), Brazilian
        // "Apelido" a nickname (Portugal's a surname): guessing either way would
        // fill a field with the wrong thing unnoticed.
        assert_eq!(
            map(&["Jméno", "Příjmení", "Ulice", "Město", "PSČ", "Kraj", "Země"]),
            [FirstName, LastName, Street, City, PostalCode, Ignore, Country]
        );
        assert_eq!(
            map(&["Nome", "Apelido", "Sobrenome"]),
            [FirstName, Ignore, LastName]
        );
    }

    #[test]
    fn outlook() {
        assert_eq!(
            map(&[
                "First Name",
                "Last Name",
                "E-mail Address",
                "E-mail 2 Address",
                "Mobile Phone",
                "Home Phone",
                "Business Phone",
                "Home Street",
                "Home City",
                "Home State",
                "Home Postal Code",
                "Home Country/Region"
            ]),
            vec![
                FirstName,
                LastName,
                Email,
                Ignore,
                MobilePhone,
                HomePhone,
                Phone,
                Street,
                City,
                Region,
                PostalCode,
                Country
            ]
        );
    }

    #[test]
    fn hubspot_mailchimp_shopify() {
        assert_eq!(
            map(&[
                "First Name",
                "Last Name",
                "Email",
                "Phone Number",
                "Mobile Phone Number"
            ]),
            vec![FirstName, LastName, Email, Phone, MobilePhone]
        );
        assert_eq!(
            map(&[
                "Email Address",
                "First Name",
                "Last Name",
                "Address",
                "Phone Number",
                "TAGS"
            ]),
            vec![Email, FirstName, LastName, Street, Phone, Teams]
        );
        assert_eq!(
            map(&[
                "Customer ID",
                "First Name",
                "Last Name",
                "Email",
                "Default Address Address1",
                "Default Address City",
                "Default Address Province Code",
                "Default Address Country Code",
                "Default Address Zip",
                "Phone",
                "Tags"
            ]),
            vec![
                Ignore, FirstName, LastName, Email, Street, City, Region, Country, PostalCode,
                Phone, Teams
            ]
        );
    }

    #[test]
    fn european_languages() {
        assert_eq!(
            map(&["Vorname", "Nachname", "E-Mail", "Handy", "Straße", "PLZ", "Ort", "Land"]),
            vec![
                FirstName,
                LastName,
                Email,
                MobilePhone,
                Street,
                PostalCode,
                City,
                Country
            ]
        );
        assert_eq!(
            map(&[
                "Prénom",
                "Nom",
                "Courriel",
                "Téléphone portable",
                "Code postal",
                "Ville"
            ]),
            vec![FirstName, LastName, Email, MobilePhone, PostalCode, City]
        );
        assert_eq!(
            map(&[
                "Nombre",
                "Apellidos",
                "Correo electrónico",
                "Teléfono móvil",
                "Ciudad"
            ]),
            vec![FirstName, LastName, Email, MobilePhone, City]
        );
        assert_eq!(
            map(&["Nome", "Cognome", "Cellulare"]),
            vec![FirstName, LastName, MobilePhone]
        );
        assert_eq!(
            map(&["Voornaam", "Achternaam", "Mobiel"]),
            vec![FirstName, LastName, MobilePhone]
        );
    }

    #[test]
    fn unknown_and_repeated_columns_are_ignored() {
        assert_eq!(
            map(&["Favourite colour", "Email", "email"]),
            vec![Ignore, Email, Ignore]
        );
        assert_eq!(map(&["Kith ID", "  first_name  "]), vec![KithId, FirstName]);
    }
}
