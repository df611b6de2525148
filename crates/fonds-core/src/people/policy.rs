//! The password policy (docs/people.md): at least 12 characters, at least three of the four
//! character classes, not containing the login or display name, not one of the most common
//! passwords. Every rule broken is reported, each as its own field error, so a person fixes
//! the password in one round; the password itself is never part of an error.

use std::collections::HashSet;
use std::sync::LazyLock;

use fonds_domain::{ErrorCode, FieldError};

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// How many of the four character classes (lower case, upper case, digits, others) a password
/// must mix.
pub const MIN_CHARACTER_CLASSES: usize = 3;

static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
});

/// Every rule `password` breaks for the account `login` named `display_name`; empty when it
/// may be used.
#[must_use]
pub fn check_password(password: &str, login: &str, display_name: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut fail = |code: ErrorCode, detail: String| {
        errors.push(FieldError {
            pointer: "/password".to_owned(),
            code: code.as_str().to_owned(),
            detail,
        });
    };
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        fail(
            ErrorCode::PasswordTooShort,
            format!(
                "the password has {chars} characters; use at least {MIN_PASSWORD_CHARS} (a few \
                 unrelated words make a long password that is easy to remember)"
            ),
        );
    }
    let classes = character_classes(password);
    if classes < MIN_CHARACTER_CLASSES {
        fail(
            ErrorCode::PasswordTooSimple,
            format!(
                "the password mixes {classes} of the four character classes (lower case, upper \
                 case, digits, other characters); use at least {MIN_CHARACTER_CLASSES}"
            ),
        );
    }
    let lowered = password.to_lowercase();
    if names_in(login, display_name)
        .iter()
        .any(|name| lowered.contains(name.as_str()))
    {
        fail(
            ErrorCode::PasswordContainsName,
            "the password contains the login name or the display name; choose one that does not"
                .to_owned(),
        );
    }
    if COMMON.contains(&lowered) {
        fail(
            ErrorCode::PasswordTooCommon,
            "the password is one of the most common passwords, the first ones an attacker tries; \
             choose another"
                .to_owned(),
        );
    }
    errors
}

fn character_classes(password: &str) -> usize {
    let has = |test: fn(char) -> bool| password.chars().any(test);
    [
        has(|c| c.is_lowercase()),
        has(|c| c.is_uppercase()),
        has(|c| c.is_ascii_digit()),
        has(|c| !c.is_lowercase() && !c.is_uppercase() && !c.is_ascii_digit()),
    ]
    .into_iter()
    .filter(|present| *present)
    .count()
}

/// The names a password must not contain, lower-cased: the login, the display name without
/// spaces (a Chinese name has two characters or more), and each word of the display name of at
/// least three characters.
fn names_in(login: &str, display_name: &str) -> Vec<String> {
    let mut names = Vec::new();
    let login = login.trim().to_lowercase();
    if login.chars().count() >= 3 {
        names.push(login);
    }
    let whole: String = display_name
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    if whole.chars().count() >= 2 {
        names.push(whole);
    }
    for word in display_name.split_whitespace() {
        let word = word.to_lowercase();
        if word.chars().count() >= 3 {
            names.push(word);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(password: &str) -> Vec<String> {
        check_password(password, "zhangsan", "张三")
            .into_iter()
            .map(|e| e.code)
            .collect()
    }

    #[test]
    fn a_long_mixed_uncommon_password_passes() {
        assert!(codes("Blue-Kettle-42-River").is_empty());
        assert!(codes("档案室的Kettle42").is_empty());
    }

    #[test]
    fn a_short_password_is_refused() {
        assert_eq!(codes("Kettle-42a"), ["password_too_short"]);
    }

    #[test]
    fn fewer_than_three_classes_are_refused() {
        assert_eq!(codes("bluekettleriver"), ["password_too_simple"]);
        assert_eq!(codes("bluekettle4242"), ["password_too_simple"]);
        assert!(codes("Bluekettle4242").is_empty());
    }

    #[test]
    fn the_login_or_display_name_is_refused_in_any_case() {
        assert_eq!(codes("ZhangSan-2024!x"), ["password_contains_name"]);
        assert_eq!(codes("我是张三Kettle42"), ["password_contains_name"]);
        let english = check_password("Kettle-Smith-42", "jsmith", "John Smith");
        assert_eq!(english.len(), 1);
        assert_eq!(english[0].code, "password_contains_name");
    }

    #[test]
    fn a_common_password_is_refused_without_regard_to_case() {
        assert_eq!(codes("Password123!"), ["password_too_common"]);
        assert_eq!(codes("pASSWORD123!"), ["password_too_common"]);
        assert_eq!(codes("1qaz@WSX3edc"), ["password_too_common"]);
    }

    #[test]
    fn every_broken_rule_is_reported_and_none_repeats_the_password() {
        let errors = check_password("password", "zhangsan", "张三");
        let found: Vec<&str> = errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            found,
            [
                "password_too_short",
                "password_too_simple",
                "password_too_common"
            ]
        );
        assert!(
            errors
                .iter()
                .all(|e| !e.detail.contains("password\"") && e.pointer == "/password")
        );
    }

    #[test]
    fn the_embedded_list_holds_a_few_hundred_passwords() {
        assert!(COMMON.len() >= 300, "{}", COMMON.len());
        assert!(COMMON.contains("123456"));
    }
}
