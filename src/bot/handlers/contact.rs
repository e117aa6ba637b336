//! A shared contact: someone on an imported family list taps "share my phone number"
//! (`Reply::contact`) and, if the number is their family's, is a member at once. Only
//! the sender's own contact counts (Telegram fills the contact's `user_id`; a contact of
//! someone else, forwarded or picked from the address book, has another id or none).

use super::ctx::{Ctx, Handled};
use crate::bot::render::Reply;
use crate::domain::UserId;
use crate::t;

pub fn contact(ctx: &Ctx, phone: &str, owner: Option<UserId>) -> Handled {
    match ctx.svc.claim_phone(&ctx.caller(), phone, owner, &ctx.name) {
        Ok(o) => {
            let children = if o.value.children.is_empty() { "none".to_string() } else { o.value.children.join(", ") };
            let text = t!(ctx.lang, "contact-claimed", centre = o.value.centre_name.clone(), children = children);
            Handled {
                reply: Reply { text, remove_keyboard: true, ..Reply::default() },
                notices: o.notices,
                ..Handled::default()
            }
        }
        Err(e) => ctx.err(&e),
    }
}
