//! The decoding budget of text extraction.
//!
//! lopdf bounds each stream it decompresses, but decodes a page's content and its fonts' CMaps
//! afresh for every page. A hostile file can point two thousand pages, or thousands of font
//! entries, at one stream that inflates to the per-stream limit, and so multiply that limit
//! into hours of work. The budget charges every page what lopdf will decode for it, before it
//! does, and stops the document when the total passes [`Limits::max_content_bytes`].

use std::collections::HashMap;

use lopdf::{DecompressError, Document, Error, Object, ObjectId};

use super::{Limits, PdfReadError};

/// What is left of the document's budget, and the decoded sizes of the CMap streams already
/// measured (each is measured once, and charged on every page that uses it).
#[derive(Debug)]
pub(super) struct Budget {
    left: usize,
    limits: Limits,
    stream_sizes: HashMap<ObjectId, usize>,
}

impl Budget {
    pub(super) fn new(limits: &Limits) -> Self {
        Self {
            left: limits.max_content_bytes,
            limits: *limits,
            stream_sizes: HashMap::new(),
        }
    }

    /// Charges the page's content and its fonts' CMap streams.
    pub(super) fn charge_page(
        &mut self,
        doc: &Document,
        page: ObjectId,
        number: usize,
    ) -> Result<(), PdfReadError> {
        let unreadable = |error: Error| PdfReadError::PageUnreadable {
            page: number,
            reason: super::short(&error.to_string()),
        };
        let limit = self.limits.max_stream_bytes.min(self.left);
        let content = match doc.get_page_content_with_limit(page, limit) {
            Ok(content) => content.len(),
            Err(Error::Decompress(DecompressError::MemoryLimitExceeded { .. }))
                if limit < self.limits.max_stream_bytes =>
            {
                return Err(self.exhausted());
            }
            Err(error) => return Err(unreadable(error)),
        };
        self.spend(content)?;
        let fonts = doc.get_page_fonts(page).map_err(unreadable)?;
        for font in fonts.values() {
            for key in [b"ToUnicode".as_slice(), b"Encoding"] {
                if let Ok(Object::Reference(id)) = font.get(key) {
                    let size = self.stream_size(doc, *id);
                    self.spend(size)?;
                }
            }
        }
        Ok(())
    }

    /// The decoded size of stream `id`, measured once; a stream that does not decode within the
    /// per-stream limit costs the whole limit, which is what lopdf may spend finding that out.
    fn stream_size(&mut self, doc: &Document, id: ObjectId) -> usize {
        let limit = self.limits.max_stream_bytes;
        *self.stream_sizes.entry(id).or_insert_with(|| {
            match doc.get_object(id).and_then(Object::as_stream) {
                Ok(stream) => stream
                    .get_plain_content_with_limit(limit)
                    .map_or(limit, |content| content.len()),
                Err(_) => 0,
            }
        })
    }

    fn spend(&mut self, bytes: usize) -> Result<(), PdfReadError> {
        self.left = self
            .left
            .checked_sub(bytes)
            .ok_or_else(|| self.exhausted())?;
        Ok(())
    }

    fn exhausted(&self) -> PdfReadError {
        PdfReadError::ContentTooLarge {
            limit: self.limits.max_content_bytes,
        }
    }
}
