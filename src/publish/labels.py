"""Words the book's own pages need (headings of generated pages, imprint lines), per
language."""

from __future__ import annotations

from publish.model import Labels

LABELS = {
    "en": Labels(contents="Contents", notes="Notes", published="Published",
                 rights="Rights", identifier="Identifier"),
    "be": Labels(contents="Змест", notes="Заўвагі", published="Выдадзена",
                 rights="Правы", identifier="Ідэнтыфікатар"),
}
