"""Deterministic synthetic news articles for load and fault tests (no data is shipped)."""

from __future__ import annotations

import random
from pathlib import Path

PLACES = ["Lisbon", "Nairobi", "Osaka", "Quito", "Tallinn", "Perth", "Accra", "Hanoi", "Bergen", "Tucson"]
TOPICS = ["water prices", "rail strike", "solar farm", "school reform", "port expansion", "fishing quota",
          "bridge repairs", "hospital budget", "wildfire season", "housing plan"]
PEOPLE = ["Maria Ortiz", "Kenji Sato", "Amara Obi", "Lars Berg", "Priya Nair", "Tomas Kral"]
ROLES = ["an economist at the city university", "the regional transport minister", "a union spokesperson"]


def article_text(i: int, words: int = 380) -> str:
    rnd = random.Random(i)
    place, topic = rnd.choice(PLACES), rnd.choice(TOPICS)
    person, role = rnd.choice(PEOPLE), rnd.choice(ROLES)
    sentences = [
        f"Officials in {place} presented a new plan on the {topic} on day {i} of the session.",
        f"\"We expect the {topic} to change how people live here,\" said {person}, {role}.",
    ]
    while sum(len(s.split()) for s in sentences) < words:
        n = rnd.randint(2, 900)
        sentences.append(rnd.choice([
            f"The council estimated the cost at {n} million and promised a review within {n % 12 + 1} months.",
            f"Residents of {rnd.choice(PLACES)} said the {rnd.choice(TOPICS)} had been discussed for years.",
            f"Critics argued that item {n} of the proposal favoured large companies over small firms.",
            f"A survey of {n} households found broad support, although many asked for clearer timelines.",
        ]))
    paragraphs = [" ".join(sentences[j : j + 4]) for j in range(0, len(sentences), 4)]
    return "\n\n".join(paragraphs)


def write_corpus(folder: Path, count: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + count):
        path = folder / f"synthetic_{i:05d}.md"
        path.write_text(f"---\ntitle: Synthetic report {i}\nsource: Synthetic Wire\npublished: 2024-02-{i % 28 + 1:02d}\n"
                        f"---\n{article_text(i)}\n", encoding="utf-8")
        paths.append(path)
    return paths
