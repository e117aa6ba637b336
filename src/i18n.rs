//! Every user-facing string comes from the Fluent files in `locales/`, Simplified
//! Chinese first (the default), English second. The files are compiled in, so the
//! binary runs from anywhere.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// "zh-CN" / "en", as stored in a profile.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// From a stored code or a `/lang` argument.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") || s == "cn" || s == "中文" {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// First guess from Telegram's `language_code`: English only when asked for, since
    /// the co-op's parents mostly read Chinese.
    pub fn guess(telegram_code: Option<&str>) -> Lang {
        match telegram_code {
            Some(c) if c.to_ascii_lowercase().starts_with("en") => Lang::En,
            _ => Lang::Zh,
        }
    }
}

const ZH: &[&str] = &[
    include_str!("../locales/zh-CN/main.ftl"),
    include_str!("../locales/zh-CN/coordinator.ftl"),
    include_str!("../locales/zh-CN/exports.ftl"),
    include_str!("../locales/zh-CN/records.ftl"),
    include_str!("../locales/zh-CN/round.ftl"),
];
const EN: &[&str] = &[
    include_str!("../locales/en/main.ftl"),
    include_str!("../locales/en/coordinator.ftl"),
    include_str!("../locales/en/exports.ftl"),
    include_str!("../locales/en/records.ftl"),
    include_str!("../locales/en/round.ftl"),
];

struct Bundles {
    zh: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn build(locale: &str, sources: &[&str]) -> FluentBundle<FluentResource> {
    let id = locale.parse().expect("locale id");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Telegram shows the isolation marks as stray characters.
    bundle.set_use_isolating(false);
    for src in sources {
        let res =
            FluentResource::try_new(src.to_string()).unwrap_or_else(|(_, errs)| panic!("bad {locale} ftl: {errs:?}"));
        bundle.add_resource(res).unwrap_or_else(|errs| panic!("duplicate {locale} ftl keys: {errs:?}"));
    }
    bundle
}

fn bundles() -> &'static Bundles {
    static B: OnceLock<Bundles> = OnceLock::new();
    B.get_or_init(|| Bundles { zh: build("zh-CN", ZH), en: build("en", EN) })
}

/// The message `key` in `lang` with `args`; a missing key falls back to Chinese, then to
/// the key itself (and is caught by the tests that check both files have the same keys).
pub fn tr(lang: Lang, key: &str, args: &[(&str, FluentValue)]) -> String {
    let b = bundles();
    let bundle = match lang {
        Lang::Zh => &b.zh,
        Lang::En => &b.en,
    };
    let msg = bundle.get_message(key).or_else(|| b.zh.get_message(key));
    let Some(pattern) = msg.and_then(|m| m.value()) else {
        log::warn!("missing message {key}");
        return key.to_string();
    };
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, v.clone());
    }
    let mut errors = vec![];
    let out = bundle.format_pattern(pattern, Some(&fargs), &mut errors);
    if !errors.is_empty() {
        log::warn!("message {key}: {errors:?}");
    }
    out.into_owned()
}

/// `t!(lang, "key")` or `t!(lang, "key", name = value, ...)`.
#[macro_export]
macro_rules! t {
    ($lang:expr, $key:expr) => {
        $crate::i18n::tr($lang, $key, &[])
    };
    ($lang:expr, $key:expr, $($name:ident = $val:expr),+ $(,)?) => {
        $crate::i18n::tr($lang, $key, &[$((stringify!($name), fluent_bundle::FluentValue::from($val))),+])
    };
}

/// Every message id of a locale (for the parity test).
pub fn keys(lang: Lang) -> Vec<String> {
    let sources = match lang {
        Lang::Zh => ZH,
        Lang::En => EN,
    };
    let mut keys: Vec<String> = sources
        .iter()
        .flat_map(|s| s.lines())
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
        .collect();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_messages() {
        assert_eq!(keys(Lang::Zh), keys(Lang::En));
        assert!(keys(Lang::Zh).len() > 50);
    }

    #[test]
    fn formats_without_isolation_marks() {
        let s = tr(Lang::En, "balance-line", &[("available", "2.5".into()), ("held", "1".into())]);
        assert!(!s.contains('\u{2068}'), "{s:?}");
        assert!(s.contains("2.5"));
    }

    #[test]
    fn the_waitlist_answer_says_whether_volunteers_would_help() {
        let waitlisted = |lang, needed: u32| {
            let args = [
                ("shift", "#1".into()),
                ("child", "Mia".into()),
                ("position", 2.into()),
                ("booking", 7.into()),
                ("needed", needed.into()),
                ("cost", "3".into()),
            ];
            tr(lang, "waitlisted", &args)
        };
        assert!(waitlisted(Lang::En, 0).contains("No volunteer can make room"));
        assert!(waitlisted(Lang::En, 1).contains("One more volunteer would let the waitlist in."));
        assert!(waitlisted(Lang::En, 2).contains("2 more volunteers would let the waitlist in."));
        assert!(waitlisted(Lang::Zh, 0).contains("增加志愿者也排不上"));
        assert!(waitlisted(Lang::Zh, 2).contains("再有 2 位志愿者就能排上。已冻结 3 小时"));
        for lang in [Lang::En, Lang::Zh] {
            assert!(!waitlisted(lang, 0).contains("0 "), "{}", waitlisted(lang, 0));
        }
    }

    /// English counts agree with their nouns: "1 shift", "2 shifts" (Chinese has no
    /// plural, so its messages have no selector).
    #[test]
    fn english_counts_agree_with_their_nouns() {
        let day = |n: usize| {
            let args =
                [("date", "Thu 3 Dec".into()), ("shifts", n.into()), ("children", n.into()), ("families", n.into())];
            tr(Lang::En, "cancelday-done", &args)
        };
        assert!(day(1).starts_with("Cancelled 1 shift on Thu 3 Dec: 1 child, 1 family;"), "{}", day(1));
        assert!(day(2).starts_with("Cancelled 2 shifts on Thu 3 Dec: 2 children, 2 families;"), "{}", day(2));
        let made = |n: usize| tr(Lang::En, "template-generated", &[("count", n.into())]);
        assert_eq!(
            (made(0), made(1), made(2)),
            ("Created 0 shifts.".into(), "Created 1 shift.".into(), "Created 2 shifts.".into())
        );
        let needs = |n: usize| tr(Lang::En, "note-understaffed", &[("shift", "#4".into()), ("missing", n.into())]);
        assert!(needs(1).contains("1 more caregiver needed"), "{}", needs(1));
        assert!(needs(3).contains("3 more caregivers needed"), "{}", needs(3));
        let zh = tr(
            Lang::Zh,
            "cancelday-done",
            &[("date", "12月3日".into()), ("shifts", 1.into()), ("children", 1.into()), ("families", 1.into())],
        );
        assert!(!zh.contains("shift"), "{zh}");
    }

    #[test]
    fn guesses_language() {
        assert_eq!(Lang::guess(Some("en-US")), Lang::En);
        assert_eq!(Lang::guess(Some("zh-hans")), Lang::Zh);
        assert_eq!(Lang::guess(None), Lang::Zh);
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
