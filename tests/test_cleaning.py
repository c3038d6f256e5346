"""The cleaner removes page furniture by general rules and keeps every article sentence."""

from __future__ import annotations

import pytest

from index.cleaning import clean
from index.loading import load_corpus
from tests.conftest import SEED_CORPUS


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    articles, skipped = load_corpus(SEED_CORPUS, 10_000_000)
    assert not skipped
    return {a.article_id.split("_")[0]: clean(a.text, a.meta.title).text for a in articles}


CNN_GONE = [
    "The Limited Times", "Now you can see non-English news", "ANALYSIS |", "bilateral ties (2022) 2:20",
    "Pentagon tracks what is believed", "(Li Tao/AP)", "The US Army will gain greater access",
    "US suffers setback in hypersonic arms race", "Russian warship armed with hypersonic missiles",
    "US charges two suspected Chinese spies", "Antony Blinken Vladimir Putin Xi Jinping",
    "Source: cnnespanol", "All news articles on", "You may like", "News/Politics", "Trends 24h",
    "© Communities", "external sources that are not under our control", "The inclusion of any links",
]
CNN_KEPT = [
    # first and last body paragraphs
    "Financially drained by its now-abandoned zero-Covid strategy, Beijing has been softening its tone",
    "As Sun says: “You will never see a scenario where China abandons Russia because in the dictionary of China, if Russia falls, China is next.”",
    # every quoted statement of an analyst or official
    "“China is very adept at calibrating the narrative based on the audience,” said Alexander Gabuev, a senior fellow at the Carnegie Endowment for International Peace.",
    "\"I don't see any remorse,\"", "\"China is taking advantage of the opportunities this crisis brings.\"",
    "\"(The relationship with Russia) prevails in terms of China's foreign interests... because it is directed against the United States and the US alliance systems, both in Europe... and in Asia,\" he said.",
    "\"China's main goal is to weaken those alliance systems.\"",
    "\"The overwhelming priority for China is economic recovery, and economic recovery requires ... not having a destabilizing relationship with the United States,\" said Yun Sun, director of the China Program at the Stimson Center think tank in Washington.",
    "“That is contributing to this charm offensive,” he said",
    "\"very carefully feeding these misconceptions\"", "\"get some goodwill,\"",
    "\"objective and impartial position\"", "\"constructive role\"", "\"questions and concerns\"",
    "\"enhance strategic coordination\"", "\"increasing military cooperation with China,\"",
    "record 1.28 trillion yuan ($190 billion)",
    "according to Jean-Pierre Cabestan, professor emeritus of the Department of Government and International Studies of the Baptist University of Hong Kong.",
    "Hong Kong (CNN) -- Antony Blinken is due to make a trip to Beijing",
]
EC_GONE = [
    "Skip to content", "SIGHT:", "Taiwan extends compulsory military service",
    "(Willy Kurniawan/Pool via AP, File/)", "Joe Biden.  AFP", "(SAUL LOEB/)", "Source: Elcomercio",
    "Share this article", "globalhappenings", "most popular",
]
EC_KEPT = [
    "In matters of foreign policy, the president of ChinaXi Jinping, will close his year with a meeting",
    "“Last month Xi and Biden met and next month US Secretary of State Blinken will go to China. They are not going to improve relations, but the important thing for the parties is that they do not get worse”, he concludes.",
    "Carlos Aquino, an internationalist specializing in Asia and a professor at San Marcos University",
    "Beijing has not condemned the invasion, nor has it supported it, it has abstained from voting.",
    "“I think that is out of the question. It is not convenient for China to give help to Russia",
    "So obviously China sees that there is a coalition against it",
    "“They are doing joint naval exercises in the East China Sea",
    "“East Asia is further militarized by the Russian invasion of Ukraine",
    "Especially in the technological area with all the sanctions imposed by Washington.",
    "The confrontation is already there, although I do not think it will reach a military escalation",
    "“unlimited friendship”",
]


@pytest.mark.parametrize("needle", CNN_GONE)
def test_cnn_furniture_removed(seeds, needle):
    assert needle not in seeds["000"]


@pytest.mark.parametrize("needle", CNN_KEPT)
def test_cnn_content_kept(seeds, needle):
    assert needle in seeds["000"]


@pytest.mark.parametrize("needle", EC_GONE)
def test_elcomercio_furniture_removed(seeds, needle):
    assert needle not in seeds["001"]


@pytest.mark.parametrize("needle", EC_KEPT)
def test_elcomercio_content_kept(seeds, needle):
    assert needle in seeds["001"]


def test_repeated_lead_and_title_appear_once(seeds):
    ec = seeds["001"]
    assert ec.count("In matters of foreign policy") == 1
    assert "Approaches and tensions" not in ec
    assert ec.startswith("In matters of foreign policy")
    assert seeds["000"].startswith("Financially drained")


def test_general_rules_on_another_site():
    raw = "\n".join([
        "DAILY GAZETTE — Your trusted source",
        "Skip to main content",
        "Storm hits the coast",
        "Share on Facebook",
        "The storm made landfall on Tuesday night, forcing thousands of residents to leave their homes, officials said.",
        "READ MORE: Five things to know about hurricane season",
        "Flooded streets in the harbor district on Wednesday. (Photo: Jane Doe/Reuters)",
        "Coast guard footage of the rescue 1:05",
        "► Ten photos of the damage",
        "\"We have never seen water this high,\" said Mayor Ana Lopez, adding that repairs would take months.",
        "Advertisement",
        "Residents were told to stay away until the power lines are checked.",
        "Weather Storms Coast",
        "Copyright 2024 Daily Gazette. All rights reserved.",
        "Most read",
        "A totally different story that is not part of this article at all, sadly.",
    ])
    cleaned = clean(raw, "Storm hits the coast").text
    assert cleaned.split("\n\n") == [
        "The storm made landfall on Tuesday night, forcing thousands of residents to leave their homes, officials said.",
        "\"We have never seen water this high,\" said Mayor Ana Lopez, adding that repairs would take months.",
        "Residents were told to stay away until the power lines are checked.",
    ]


def test_title_inferred_when_not_given():
    raw = "Banner\nMarkets rally as inflation cools faster than expected\n" + (
        "Stocks rose sharply on Friday after new figures showed prices rising more slowly than economists had forecast.\n"
    )
    result = clean(raw)
    assert result.title == "Markets rally as inflation cools faster than expected"
    assert result.text.startswith("Stocks rose sharply")


def test_only_furniture_gives_empty_text():
    raw = "Skip to content\nShare this article:\n© 2024 Example\nTrending\n  • Some link\n"
    assert clean(raw).text == ""


def test_long_unterminated_paragraph_is_article_text():
    raw = ("At 39 years old, the quarterback is still at the top of his game: on Sunday he led his team to "
           "victory again. \"If it was up to my wife, she would have me retire today,\" he said, but I feel")
    assert clean(raw, "Quarterback plays on").text == raw


def test_long_paragraph_opening_with_a_dash_is_text():
    raw = "- " + " ".join(["Russia and Iran share an objective in Syria, the former ambassador said"] * 6) + " and"
    assert clean(raw, "Press review").text == raw
