//! Walking a parsed tree by element path, so that every missing or unreadable value is reported
//! with the path of the element at fault, e.g. `EInvoice/Header/EIid`.

use fonds_domain::Money;
use time::{Date, PrimitiveDateTime, Time};

use super::tree::{Element, is_xml_space};
use super::value::{parse_date, parse_date_time, parse_time};

/// An element of the expected shape that is missing, repeated or holds a value of the wrong form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// A required element is absent.
    #[error("element {path} is missing; the document must carry it")]
    Missing {
        /// The element's path from the root, e.g. `EInvoice/Header/EIid`.
        path: String,
    },
    /// An element that may appear once appears more than once, so which one counts is ambiguous.
    #[error("element {path} appears more than once; it may appear only once")]
    Repeated {
        /// The element's path from the root.
        path: String,
    },
    /// An element whose text is not of the form its meaning needs.
    #[error("element {path} holds `{value}`, which is not {expected}")]
    Invalid {
        /// The element's path from the root; repeated elements carry their 1-based position,
        /// e.g. `EInvoice/EInvoiceData/IssuItemInformation[2]/Amount`.
        path: String,
        /// The text found (at most 40 characters of it).
        value: String,
        /// What the element must hold.
        expected: &'static str,
    },
}

impl FieldError {
    /// The path of the element at fault.
    #[must_use]
    pub fn path(&self) -> &str {
        match self {
            Self::Missing { path } | Self::Repeated { path } | Self::Invalid { path, .. } => path,
        }
    }
}

/// What an amount element must hold.
const AMOUNT: &str = "an amount with at most two decimal places, e.g. 1234.50";

/// An element together with its path from the root.
#[derive(Debug, Clone)]
pub(crate) struct Node<'a> {
    element: &'a Element,
    path: String,
}

impl<'a> Node<'a> {
    /// The root element.
    pub(crate) fn root(element: &'a Element) -> Self {
        Self {
            element,
            path: element.name.clone(),
        }
    }

    /// The child element `name`, if there is exactly one; an error if there are several.
    pub(crate) fn child(&self, name: &str) -> Result<Option<Self>, FieldError> {
        let mut matching = self.element.children.iter().filter(|c| c.name == name);
        let Some(first) = matching.next() else {
            return Ok(None);
        };
        let path = format!("{}/{name}", self.path);
        if matching.next().is_some() {
            return Err(FieldError::Repeated { path });
        }
        Ok(Some(Self {
            element: first,
            path,
        }))
    }

    /// The child element `name`, which must be there exactly once.
    pub(crate) fn require(&self, name: &str) -> Result<Self, FieldError> {
        self.child(name)?.ok_or_else(|| FieldError::Missing {
            path: format!("{}/{name}", self.path),
        })
    }

    /// Every child element `name`, in document order, with 1-based positions in their paths.
    pub(crate) fn children(&self, name: &'a str) -> impl Iterator<Item = Node<'a>> + use<'a, '_> {
        self.element
            .children
            .iter()
            .filter(move |c| c.name == name)
            .enumerate()
            .map(move |(i, element)| Node {
                element,
                path: format!("{}/{name}[{}]", self.path, i + 1),
            })
    }

    /// How many child elements are called `name`.
    pub(crate) fn count(&self, name: &str) -> usize {
        self.element
            .children
            .iter()
            .filter(|c| c.name == name)
            .count()
    }

    /// The element's text exactly as written (references resolved).
    pub(crate) fn text(&self) -> &'a str {
        &self.element.text
    }

    /// The element's text without surrounding XML white space, for values with a syntax.
    pub(crate) fn value(&self) -> &'a str {
        self.element.text.trim_matches(is_xml_space)
    }

    /// An error saying this element's text is not `expected`.
    pub(crate) fn invalid(&self, expected: &'static str) -> FieldError {
        FieldError::Invalid {
            path: self.path.clone(),
            value: self.value().chars().take(40).collect(),
            expected,
        }
    }

    /// The text of the required child `name`, exactly as written.
    pub(crate) fn text_of(&self, name: &str) -> Result<String, FieldError> {
        Ok(self.require(name)?.text().to_owned())
    }

    /// The text of the optional child `name`, exactly as written.
    pub(crate) fn optional_text_of(&self, name: &str) -> Result<Option<String>, FieldError> {
        Ok(self.child(name)?.map(|node| node.text().to_owned()))
    }

    /// The element's amount.
    pub(crate) fn money(&self) -> Result<Money, FieldError> {
        self.value().parse().map_err(|_| self.invalid(AMOUNT))
    }

    /// The amount in the required child `name`.
    pub(crate) fn money_of(&self, name: &str) -> Result<Money, FieldError> {
        self.require(name)?.money()
    }

    /// The date in the required child `name`.
    pub(crate) fn date_of(&self, name: &str) -> Result<Date, FieldError> {
        let node = self.require(name)?;
        parse_date(node.value()).ok_or_else(|| node.invalid("a date written YYYY-MM-DD"))
    }

    /// The time of day in the optional child `name`.
    pub(crate) fn optional_time_of(&self, name: &str) -> Result<Option<Time>, FieldError> {
        let Some(node) = self.child(name)? else {
            return Ok(None);
        };
        parse_time(node.value())
            .map(Some)
            .ok_or_else(|| node.invalid("a time of day written HH:MM:SS"))
    }

    /// The date and time in the required child `name`.
    pub(crate) fn date_time_of(&self, name: &str) -> Result<PrimitiveDateTime, FieldError> {
        let node = self.require(name)?;
        parse_date_time(node.value()).ok_or_else(|| {
            node.invalid("a date and time written YYYY-MM-DD HH:MM:SS, or a date YYYY-MM-DD")
        })
    }
}
