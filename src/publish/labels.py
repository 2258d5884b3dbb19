"""Words the book's own pages need (headings of generated pages, imprint lines), per
language."""

from __future__ import annotations

from publish.model import Labels

LABELS = {
    "en": Labels(contents="Contents", notes="Notes", chronology="Chronology",
                 information_as_of="The information in this book runs to {date}.",
                 published="Published", rights="Rights", identifier="Identifier"),
    "be": Labels(contents="Змест", notes="Заўвагі", chronology="Храналогія",
                 information_as_of="Звесткі ў кнізе падаюцца па стане на {date}",
                 published="Выдадзена", rights="Правы", identifier="Ідэнтыфікатар"),
}
