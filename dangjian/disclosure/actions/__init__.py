"""Every write of the disclosure app: validate, one transaction, audit. Callers import this package
(`from dangjian.disclosure import actions`); the modules follow the app's seams:

- `items`: disclosure items (draft → published → corrected | withdrawn), their finance lines and attachments;
- `review`: 审核 of items whose catalogue entry asks for it (submit, approve, return);
- `catalog`: the 公开目录 and the 村务监督委员会 seats;
- `matters`: 待公开事项, the major matters of entries published 随时;
- `questions`: villagers' questions (群众留言) and the answers;
- `common`: the parsing and checks they share.

Who may call these is decided by the callers from `restrict(user, action)`.
"""

from .catalog import (
    CATALOG_FIELDS,
    add_seat,
    create_entry,
    install_default_catalog,
    remove_seat,
    update_entry,
)
from .items import (
    ATTACHMENT_TYPES,
    CATALOG_KEYS,
    FIELDS,
    MAX_ATTACHMENT_BYTES,
    MAX_LINES,
    NewMatter,
    add_attachment,
    correct,
    create_draft,
    delete_draft,
    publish,
    remove_attachment,
    update_draft,
    withdraw,
)
from .matters import cancel_matter, register_matter
from .questions import PHONE_RE, answer, ask, mask_numbers, normalize_phone, set_public
from .review import approve, return_item, submit

__all__ = [
    "ATTACHMENT_TYPES", "CATALOG_FIELDS", "CATALOG_KEYS", "FIELDS", "MAX_ATTACHMENT_BYTES", "MAX_LINES", "PHONE_RE",
    "NewMatter", "add_attachment", "add_seat", "answer", "approve", "ask", "cancel_matter", "correct",
    "create_draft", "create_entry", "delete_draft", "install_default_catalog", "mask_numbers", "normalize_phone",
    "publish", "register_matter", "remove_attachment", "remove_seat", "return_item", "set_public", "submit",
    "update_draft", "update_entry", "withdraw",
]
