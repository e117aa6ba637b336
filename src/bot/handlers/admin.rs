//! The super-admin: centres and their coordinators.

use teloxide::dptree::{self, case, di::Asyncify};

use super::ctx::{Tree, C};
use crate::bot::command::Command;
use crate::bot::render::Done;
use crate::domain::{CentreId, UserId};

/// The typed commands of the super-admin.
pub fn commands() -> Tree {
    dptree::entry()
        .branch(case![Command::NewCentre(name)].endpoint(Asyncify(|ctx: C, name: String| {
            ctx.done(ctx.svc.create_centre(&ctx.caller(), &name, None), |v| Done::CentreCreated(v))
        })))
        .branch(case![Command::Coordinator(user, centre)].endpoint(Asyncify(
            |ctx: C, (user, centre): (UserId, CentreId)| {
                let r = ctx.svc.appoint_coordinator(&ctx.caller(), user, centre, "");
                ctx.done(r, |_| Done::CoordinatorAppointed { user, centre })
            },
        )))
}
