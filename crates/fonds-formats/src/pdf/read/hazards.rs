//! Finding active content: JavaScript, embedded files and launch actions.
//!
//! Every object of the document is scanned, not only the catalog's `/Names` and
//! `/OpenAction`, because actions also hide in annotations, form fields and page-level
//! additional actions. References are not followed: each object is visited once as itself, so
//! the scan is linear in the size of the document and cannot loop.

use std::collections::BTreeSet;

use lopdf::{Dictionary, Document, Object};

use super::Hazard;

/// Nested direct objects deeper than this are not looked into; lopdf's parser already stops
/// nesting at 100 levels, and real action dictionaries sit a few levels deep.
const MAX_DEPTH: usize = 64;

/// The hazards anywhere in the document.
pub(super) fn scan(doc: &Document) -> BTreeSet<Hazard> {
    let mut found = BTreeSet::new();
    let mut stack: Vec<(&Object, usize)> = doc.objects.values().map(|o| (o, 0)).collect();
    while let Some((object, depth)) = stack.pop() {
        let dict = match object {
            Object::Dictionary(dict) => dict,
            Object::Stream(stream) => &stream.dict,
            Object::Array(items) => {
                if depth < MAX_DEPTH {
                    stack.extend(items.iter().map(|item| (item, depth + 1)));
                }
                continue;
            }
            _ => continue,
        };
        classify(dict, &mut found);
        if depth < MAX_DEPTH {
            stack.extend(dict.iter().map(|(_, value)| (value, depth + 1)));
        }
    }
    found
}

/// Adds what this one dictionary shows.
fn classify(dict: &Dictionary, found: &mut BTreeSet<Hazard>) {
    let name = |key: &[u8]| dict.get(key).and_then(Object::as_name).ok();
    match name(b"S") {
        Some(b"JavaScript") => {
            found.insert(Hazard::JavaScript);
        }
        Some(b"Launch") => {
            found.insert(Hazard::Launch);
        }
        _ => {}
    }
    // `/JS` carries the script of an action; `/JavaScript` is the name tree in `/Names`.
    if dict.has(b"JS") || dict.has(b"JavaScript") {
        found.insert(Hazard::JavaScript);
    }
    let embedded_type = matches!(name(b"Type"), Some(b"EmbeddedFile"))
        || matches!(name(b"Subtype"), Some(b"FileAttachment"));
    if dict.has(b"EmbeddedFiles") || dict.has(b"EF") || embedded_type {
        found.insert(Hazard::EmbeddedFiles);
    }
}

#[cfg(test)]
mod tests {
    use lopdf::{Stream, dictionary};

    use super::*;

    fn doc_with(objects: Vec<Object>) -> Document {
        let mut doc = Document::with_version("1.7");
        for object in objects {
            doc.add_object(object);
        }
        doc
    }

    #[test]
    fn a_plain_document_has_no_hazards() {
        let doc = doc_with(vec![
            Object::Dictionary(dictionary! { "Type" => "Catalog", "Pages" => (2, 0) }),
            Object::Stream(Stream::new(dictionary! {}, b"BT ET".to_vec())),
        ]);
        assert!(scan(&doc).is_empty());
    }

    #[test]
    fn javascript_launch_and_embedded_files_are_found_wherever_they_sit() {
        let open_action =
            dictionary! { "S" => "JavaScript", "JS" => Object::string_literal("app.alert(1)") };
        let catalog = dictionary! {
            "Type" => "Catalog",
            "OpenAction" => open_action,
            "Names" => dictionary! { "EmbeddedFiles" => (9, 0) },
        };
        let annotation = dictionary! {
            "Type" => "Annot",
            "A" => dictionary! { "S" => "Launch", "F" => Object::string_literal("calc.exe") },
        };
        let doc = doc_with(vec![
            Object::Dictionary(catalog),
            Object::Dictionary(annotation),
        ]);
        assert_eq!(
            scan(&doc),
            BTreeSet::from([Hazard::JavaScript, Hazard::EmbeddedFiles, Hazard::Launch])
        );
    }

    #[test]
    fn an_embedded_file_stream_alone_counts() {
        let stream = Stream::new(dictionary! { "Type" => "EmbeddedFile" }, b"MZ".to_vec());
        let doc = doc_with(vec![Object::Stream(stream)]);
        assert_eq!(scan(&doc), BTreeSet::from([Hazard::EmbeddedFiles]));
    }
}
