//! Server functions: the only way the UI changes or reads state. Each has a fixed endpoint
//! under `/api/` because scripts, tests and benchmarks call them too.

mod accounts;
mod admin;
mod admin_people;
mod api_tokens;
mod device_links;
mod direct;
mod joined;
mod messages;
mod passkeys;
mod password;
mod pins;
mod private_rooms;
mod profile;
mod reactions;
mod rooms;
mod search;
#[cfg(feature = "ssr")]
mod server_context;
mod webhooks;

pub use accounts::{
    end_session, get_me, list_sessions, sign_in, sign_out, sign_up, AccountInfo, EndSession, GetMe,
    ListSessions, Me, SessionInfo, SessionList, SignIn, SignOut, SignUp,
};
pub use admin::{
    ban_user, get_audit, lock_room, unban_user, AuditLog, BanUser, GetAudit, LockRoom, RoomLock,
    UnbanUser, AUDIT_PAGE,
};
pub use admin_people::{
    get_people, set_role, BannedPerson, GetPeople, People, PersonInfo, SetRole, PEOPLE_PAGE,
};
pub use api_tokens::{
    create_token, list_tokens, revoke_token, token_name, ApiTokenInfo, ApiTokenList, CreateToken,
    ListTokens, NewApiToken, RevokeToken, MAX_API_TOKENS, TOKEN_NAME_CHARS,
};
pub use device_links::{
    link_device, revoke_device_link, DeviceLink, LinkDevice, RevokeDeviceLink, DEVICE_LINK_LASTS_MS,
};
pub use direct::{open_dm, DirectRoom, OpenDm};
pub use joined::{
    leave_room, mark_read, set_notify, JoinedRoom, LeaveRoom, MarkRead, SetNotify, MAX_UNREAD,
};
pub use messages::{
    delete_message, edit_message, notify_typing, send_message, DeleteMessage, EditMessage,
    NotifyTyping, SendMessage,
};
pub use passkeys::{
    list_passkeys, passkey_name, passkey_register_finish, passkey_register_start,
    passkey_sign_in_finish, passkey_sign_in_start, remove_passkey, ListPasskeys, PasskeyCeremony,
    PasskeyInfo, PasskeyList, PasskeyRegisterFinish, PasskeyRegisterStart, PasskeySignInFinish,
    PasskeySignInStart, RemovePasskey, PASSKEY_NAME_CHARS,
};
pub use password::{change_password, ChangePassword};
pub use pins::{pin_message, PinMessage};
pub use private_rooms::{
    create_room, remove_member, renew_invite, CreateRoom, CreatedRoom, PrivateRoom, RemoveMember,
    RenewInvite,
};
pub use profile::{set_name, SetName};
pub use reactions::{add_reaction, remove_reaction, AddReaction, RemoveReaction};
pub use rooms::{
    get_history, get_newer, get_room, list_rooms, GetHistory, GetNewer, GetRoom, HistoryPage,
    ListRooms, NewerPage, RoomListing, RoomSnapshot, PAGE_SIZE,
};
pub use search::{search, Search};
pub use webhooks::{
    create_webhook, list_webhooks, revoke_webhook, CreateWebhook, ListWebhooks, NewWebhook,
    RevokeWebhook, WebhookInfo, WebhookList, MAX_WEBHOOKS_PER_ROOM,
};
