"""Tests for copydesk.featurize.units: checkable units and their compatibility."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copydesk.featurize.units import (
    bare_superlatives,
    compatible,
    entity_weights,
    extract_age_ranges,
    extract_attributions,
    extract_dates,
    extract_entities,
    extract_fortnights,
    extract_magnitudes,
    extract_numbers,
    extract_quotes,
    extract_ranks,
    extract_tallies,
    extract_units,
    extract_year_to,
)
from copydesk.featurize.units.attributions import group_speakers
from copydesk.records import Unit

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def _find(units: list[Unit], needle: str) -> Unit:
    hits = [u for u in units if needle in u.text]
    assert hits, f"no unit containing {needle!r} in {[u.text for u in units]}"
    return hits[0]


def _sentence(text: str, needle: str) -> tuple[str, int]:
    """The line containing needle and its offset in text."""
    i = text.index(needle)
    start = text.rfind("\n", 0, i) + 1
    end = text.find("\n", i)
    return text[start:end if end >= 0 else len(text)], start


# --------------------------------------------------------------------------- numbers


def test_a_fifth_twenty_percent_and_20pct_agree(seeds: dict[str, str]) -> None:
    a = _find(extract_numbers(seeds["000"]), "a fifth")
    b = _find(extract_numbers(seeds["001"]), "twenty percent")
    c = _find(extract_numbers(seeds["002"]), "20%")
    for u in (a, b, c):
        assert u.key == "20|percent"
        assert u.value == pytest.approx(20.0)
        assert u.unit == "percent"
    assert compatible(a, b) and compatible(b, c) and compatible(a, c)
    # The hedge is part of the span so compatible() can read the precision.
    assert b.text.startswith("approximately")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("20%", "20|percent"),
        ("20 percent", "20|percent"),
        ("twenty percent", "20|percent"),
        ("about a fifth of the land", "20|percent"),
        ("approximately twenty percent of land", "20|percent"),
        ("a quarter of voters", "25|percent"),
        ("one in five voters", "20|percent"),
        ("3 out of 4 games", "75|percent"),
        ("about one in every three adults", "33.3333|percent"),
        ("one in 10 Americans", "10|percent"),
        ("one in 1,000 people", "0.1|percent"),
        ("half of the staff", "50|percent"),
        ("one-third", "33.3333|percent"),
        ("a 30-day ceasefire", "30|day"),
        ("30 days", "30|day"),
        ("thirty days", "30|day"),
        ("a 90-minute call", "90|minute"),
        ("three years", "3|year"),
        ("a three-year conflict", "3|year"),
        ("$5 million", "5000000|dollar"),
        ("5m dollars", "5000000|dollar"),
        ("£3bn", "3000000000|pound"),
        ("1,200 people", "1200|people"),
        ("the 33-year-old actress", "33|age"),
        ("two and a half years", "2.5|year"),
        ("five federal lawsuits", "5|lawsuit"),
    ],
)
def test_number_keys(text: str, key: str) -> None:
    units = extract_numbers(text)
    assert [u.key for u in units] == [key]


@pytest.mark.parametrize("text", ["in 2022", "before 2026", "a third term", "the first half of the year",
                                  "Air Force One", "on day one", "COVID-19", "one of the men"])
def test_not_numbers(text: str) -> None:
    assert extract_numbers(text) == []


def test_seed_number_keys_shared(seeds: dict[str, str]) -> None:
    for sid, text in seeds.items():
        assert "30|day" in {u.key for u in extract_numbers(text)}, sid
    call_000 = _find(extract_numbers(seeds["000"]), "90-minute")
    call_003 = _find(extract_numbers(seeds["003"]), "90-minute")
    assert call_000.key == call_003.key == "90|minute"
    lasted = _find(extract_numbers(seeds["000"]), "three years")
    conflict = _find(extract_numbers(seeds["003"]), "three-year")
    assert lasted.key == conflict.key == "3|year"


def test_number_compatibility() -> None:
    def one(t: str) -> Unit:
        (u,) = extract_numbers(t)
        return u

    assert compatible(one("about 20%"), one("20%")) is True
    assert compatible(one("about 20%"), one("22%")) is True  # "about" rounds to tens
    assert compatible(one("20%"), one("25%")) is False
    assert compatible(one("a third"  + " of voters"), one("33%")) is True
    assert compatible(one("3 years"), one("three-year")) is True
    assert compatible(one("3 years"), one("4 years")) is False
    assert compatible(one("1.2 million people"), one("1,234,000 people")) is True
    assert compatible(one("20%"), one("20 days")) is None
    assert compatible(one("more than 20 people"), one("fewer than 20 people")) is False


# --------------------------------------------------------------------------- dates


def test_dates_keys() -> None:
    cases = {
        "in 2022": "year:2022",
        "last August": "month:8|q:last",
        "in March 2023": "year:2023|month:3",
        "on Tuesday": "weekday:2",
        "March 3, 2024": "year:2024|month:3|day:3",
        "3 March 2024": "year:2024|month:3|day:3",
        "2024-03-03": "year:2024|month:3|day:3",
        "last month": "rel:last-month",
        "last summer": "season:summer|q:last",
        "yesterday": "rel:yesterday",
        "next week": "rel:next-week",
    }
    for text, key in cases.items():
        assert [u.key for u in extract_dates(text)] == [key], text


def test_may_is_only_a_month_in_context() -> None:
    assert extract_dates("Theresa May said it may rain.") == []
    assert [u.key for u in extract_dates("It happened in May.")] == ["month:5"]


def test_seed_dates_last_august_vs_last_summer(seeds: dict[str, str]) -> None:
    aug = _find(extract_dates(seeds["000"]), "last August")
    summer = _find(extract_dates(seeds["002"]), "last summer")
    assert compatible(aug, summer) is True
    (march,) = extract_dates("last March")
    assert compatible(aug, march) is False
    (july,) = extract_dates("July")
    (august,) = extract_dates("August")
    assert compatible(august, july) is False
    assert compatible(aug, august) is True


def test_date_compatibility_year_and_relative() -> None:
    (y,) = extract_dates("in 2024")
    (d,) = extract_dates("on March 3, 2024")
    (other,) = extract_dates("in 2023")
    assert compatible(y, d) is True
    assert compatible(other, d) is False
    (lw,) = extract_dates("last week")
    (nw,) = extract_dates("next week")
    (lm,) = extract_dates("last month")
    assert compatible(lw, nw) is False
    assert compatible(lw, lm) is None
    assert compatible(lw, y) is None


def test_a_share_is_a_percentage_and_a_time_is_not_a_share() -> None:
    """"one in five" = "twenty percent" = "a fifth"; "two in five minutes" is two of something in five minutes."""
    one_in_five = _find(extract_numbers("One in five voters said so."), "One in five")
    assert compatible(one_in_five, _find(extract_numbers("Twenty percent of voters"), "Twenty percent")) is True
    assert compatible(one_in_five, _find(extract_numbers("a fifth of voters"), "a fifth")) is True
    assert compatible(one_in_five, _find(extract_numbers("Forty percent of voters"), "Forty percent")) is False
    assert [u.key for u in extract_numbers("He scored two in five minutes.")] == ["2|", "5|minute"]
    assert [u.key for u in extract_numbers("He was ranked 5 in 2020.")] == ["5|"]  # a year, not 5 in 2,020


def test_half_after_a_clause_that_is_a_fraction() -> None:
    """ "found that half of adults" is 50 % ("that" opens the clause); "in that half of the match" points at
    one half and "the first half of the year" is a period: no fraction."""
    assert [u.key for u in extract_numbers("A survey found that half of adults agree.")] == ["50|percent"]
    assert [u.key for u in extract_numbers("He told the council that half of his routes run late.")] == ["50|percent"]
    assert extract_numbers("In that half of the match they scored.") == []
    assert extract_numbers("Sales fell in the first half of the year.") == []


def test_a_count_by_order_of_magnitude_is_a_range() -> None:
    """ "hundreds of residents" holds 300 and "more than 200" residents, not "dozens of residents" or 50;
    "millions of dollars" is no count; the relation features' numbers do not change."""
    hundreds = _find(extract_magnitudes("At the hearing hundreds of residents spoke."), "hundreds of residents")
    assert hundreds.key == "200-999|resident"
    count = lambda t: _find(extract_numbers(t), "resident")  # noqa: E731
    assert compatible(hundreds, count("300 residents")) is True
    assert compatible(hundreds, count("more than 200 residents")) is True
    assert compatible(hundreds, count("50 residents")) is False
    assert compatible(hundreds, _find(extract_magnitudes("dozens of residents"), "dozens")) is False
    tens = _find(extract_magnitudes("tens of thousands of people marched"), "tens of thousands")
    assert tens.key == "20000-99999|people"
    assert extract_magnitudes("millions of dollars") == []
    assert extract_numbers("At the hearing hundreds of residents spoke.") == []


def test_other_units_of_one_measure_convert_and_a_currency_or_point_swap_is_a_change() -> None:
    """ "5 km" ~ "3 miles" (rounded conversions agree), "5 miles" differs; "£32 million" ~ "$45.8 million" (a
    rough rate), while "£3 million" for "$3 million" is another value; units of different things ("pounds" is a
    weight unless written "£"), and amounts far apart in two currencies, stay incomparable."""
    one = lambda t: extract_numbers(t)[0]  # noqa: E731
    assert compatible(one("5 km"), one("3 miles")) is True
    assert compatible(one("5 km"), one("5 miles")) is False
    assert compatible(one("100 metres"), one("330 feet")) is True
    assert compatible(one("$3 million"), one("£3 million")) is False
    assert compatible(one("£32 million"), one("$45.8 million")) is True  # converted
    assert compatible(one("€5 million"), one("$1 million")) is None
    assert compatible(one("$400 rebates"), one("220 pounds")) is None  # a weight
    assert compatible(one("$220"), one("220 pounds")) is None
    assert compatible(one("5 km"), one("5 kg")) is None


def test_noon_and_midnight_after_a_preposition_are_clock_times() -> None:
    """ "at noon" = "12 p.m.", "until midnight" = "12 a.m."; "Midnight Express" is a title."""
    noon = _find(extract_dates("The meeting ended at noon."), "noon")
    assert compatible(noon, _find(extract_dates("It ended at 12 p.m."), "12 p.m.")) is True
    midnight = _find(extract_dates("Talks ran until midnight on Friday."), "midnight")
    assert midnight.key == "time:00:00" and compatible(noon, midnight) is False
    assert extract_dates("Midnight Express was released.") == []


def test_an_age_by_decade_is_a_range() -> None:
    """ "in his 40s" holds "a 45-year-old", not "in his 50s" or 52; "early thirties" is 30 to 33."""
    forties = _find(extract_age_ranges("A man in his 40s was arrested."), "40s")
    assert forties.key == "40-49|age"
    assert compatible(forties, _find(extract_numbers("a 45-year-old man"), "45")) is True
    assert compatible(forties, _find(extract_age_ranges("a man in his 50s"), "50s")) is False
    assert compatible(forties, _find(extract_numbers("a 52-year-old man"), "52")) is False
    assert [u.key for u in extract_age_ranges("a woman in her early thirties")] == ["30-33|age"]
    assert extract_age_ranges("music of the 1990s") == []


def test_an_ordinal_before_a_superlative_is_a_rank() -> None:
    """ "the second-largest city" is rank 2 of "largest" ("biggest" ranks the same); a bare superlative is no
    unit but is found as rank 1; "the second test" and "the third interest rate rise" are no ranks."""
    second = _find(extract_ranks("Leeds, the second-largest city in the region"), "second-largest")
    assert (second.key, second.value) == ("2|rank largest", 2.0)
    third = _find(extract_ranks("the 3rd-biggest city"), "3rd-biggest")
    assert compatible(second, third) is False
    assert compatible(second, _find(extract_ranks("its second biggest city"), "second biggest")) is True
    assert [u.key for u in extract_ranks("the third most populous state")] == ["3|rank most populous"]
    assert compatible(second, _find(extract_ranks("the second-highest score"), "second-highest")) is None
    assert extract_ranks("the second test match") == [] and extract_ranks("a third interest rate rise") == []
    text = "Leeds, the region's biggest city"
    assert [(text[s:e], d) for s, e, d in bare_superlatives(text)] == [("biggest", "largest")]
    assert bare_superlatives("the second-largest city") == []
    assert bare_superlatives("the forest and the protest") == []


def test_a_multiple_in_any_wording_is_one_factor() -> None:
    """"doubled" = "twofold" = "twice as many"; "tripled" differs; "twice a day" is a rate, no factor."""
    def key(text: str) -> list[str]:
        return [u.key for u in extract_numbers(text)]

    assert key("Sales doubled.") == key("Sales rose twofold.") == key("twice as many sales") == ["2|fold"]
    assert key("Sales tripled.") == key("a threefold rise") == ["3|fold"]
    assert key("Prices halved.") == ["0.5|fold"] and key("a 10-fold rise") == ["10|fold"]
    assert key("He did it twice a day.") == [] and key("the double murder") == []
    doubled, tripled = (_find(extract_numbers(t), w) for t, w in (("Sales doubled", "doubled"), ("Sales tripled", "tripled")))
    assert compatible(doubled, tripled) is False


def test_the_past_decade_is_ten_years() -> None:
    """"over the past decade" = "over the last ten years", and differs from twenty years ("over" is no hedge
    here); "a decade ago" stays a date and "the decade's best album" is no quantity."""
    decade = _find(extract_numbers("Prices have risen over the past decade."), "the past decade")
    assert decade.key == "1|decade"
    assert compatible(decade, _find(extract_numbers("over the last ten years"), "ten years")) is True
    assert compatible(decade, _find(extract_numbers("over the last twenty years"), "twenty years")) is False
    assert [u.key for u in extract_numbers("Sales grew over the decade.")] == ["1|decade"]
    assert extract_numbers("the decade's best album") == [] and extract_numbers("It was the decade of change.") == []
    assert [u.key for u in extract_dates("a decade ago")] == ["rel:ago-1-decade"]


def test_numeric_dates_are_dates_either_way_round() -> None:
    """3/17/20 is March 17, 2020; 17/3/2020 can only be day first; 3/4/2020 reads either way, so it agrees with
    March 4 and with 3 April and differs from a date neither reading gives. Fractions and 24/7 are no dates."""
    def one(text: str):
        (u,) = extract_dates(text)
        return u

    march17 = one("on March 17, 2020")
    assert one("on 3/17/20").key == "year:2020|month:3|day:17" and one("on 3/17/20").text == "3/17/20"
    assert compatible(one("on 3/17/20"), march17) is True
    assert compatible(one("on 3/18/20"), march17) is False
    assert compatible(one("on 17/3/2020"), march17) is True
    assert compatible(one("on 3/17/1999"), march17) is False
    either = one("on 3/4/2020")
    assert compatible(either, one("on March 4, 2020")) is True
    assert compatible(either, one("on 3 April 2020")) is True
    assert compatible(either, one("on March 5, 2020")) is False
    assert compatible(either, one("in 2020")) is True
    assert extract_dates("open 24/7, half (1/2) of them") == []


# --------------------------------------------------------------------------- quotes


QUOTE = "we will demand that ironclad security guarantees become part of this agreement"


def test_seed_quote_curly_vs_straight(seeds: dict[str, str]) -> None:
    q0 = _find(extract_quotes(seeds["000"]), "We will demand")
    q2 = _find(extract_quotes(seeds["002"]), "We will demand")
    assert q0.text.startswith("“") and q2.text.startswith('"')
    assert q0.key == q2.key == QUOTE
    edited = extract_quotes('"We will demand that firm security guarantees become part of this agreement"')
    assert compatible(q0, edited[0]) is False
    short = extract_quotes("“ironclad security guarantees”")[0]
    assert compatible(q0, short) is True


def test_ellipsis_joined_quote(seeds: dict[str, str]) -> None:
    joined = _find(extract_quotes(seeds["004"]), "We will demand")
    assert "…" in joined.key
    first = _find(extract_quotes(seeds["000"]), "We will demand")
    second = _find(extract_quotes(seeds["000"]), "Part of these")
    assert compatible(joined, first) is True
    assert compatible(joined, second) is True
    unrelated = extract_quotes("“dividing up certain assets”")[0]
    assert compatible(first, unrelated) is None


def test_single_quotes_need_three_words() -> None:
    assert extract_quotes("Russia’s position and the players’ union") == []
    assert [u.key for u in extract_quotes("he called it ‘a total disaster’ today")] == ["a total disaster"]
    assert extract_quotes("a ‘positive’ meeting") == []


# --------------------------------------------------------------------------- attributions


def test_seed_attributions(seeds: dict[str, str]) -> None:
    a0 = {u.key for u in extract_attributions(seeds["000"])}
    a3 = {u.key for u in extract_attributions(seeds["003"])}
    told = [k for k in a0 if "izvestia" in k]
    assert told == ["told:izvestia"]
    assert "said:grushko" in a0
    cnn = [k for k in a3 if "cnn" in k]
    assert cnn == ["confirmed_to:cnn"]
    assert set(told).isdisjoint(cnn)


def test_attribution_patterns() -> None:
    keys = lambda t: [u.key for u in extract_attributions(t)]  # noqa: E731
    assert keys("Trump said the talks went well.") == ["said:trump"]
    assert keys("“We are ready,” said Grushko.") == ["said:grushko"]
    assert "according_to:reuters" in keys("According to Reuters, the deal is off.")
    assert "reported_by:izvestia" in keys("The demand was made, as reported by Russian outlet Izvestia.")
    assert keys("her rep told People she went to rehab.") == ["told:people"]
    assert keys("The official told reporters in Moscow that it was over.") == []
    # A plural common noun opening the sentence is a group, not a name a source must give.
    assert keys("Critics warned the plan could raise fares.") == []
    assert keys("Officials reported three deaths.") == []
    assert keys("“It is never good,” Storms added.") == ["said:storms"]  # after a quote: a name
    assert keys("Sources told CNN it was over.") == ["told:cnn"]
    assert keys("Reuters reported the deal.") == ["reported_by:reuters"]
    (a,) = extract_attributions("Putin said it.")
    (b,) = extract_attributions("Vladimir Putin said it.")
    (c,) = extract_attributions("Lavrov said it.")
    assert compatible(a, b) is True
    assert compatible(a, c) is False


# --------------------------------------------------------------------------- entities


def test_seed_entities(seeds: dict[str, str]) -> None:
    keys = {u.key for u in extract_entities(seeds["000"])}
    for k in ("alexander grushko", "nato", "izvestia", "us", "donald trump", "vladimir putin",
              "kursk", "volodymyr zelensky", "steve witkoff"):
        assert k in keys, k
    for k in ("as", "the", "meanwhile", "speaking", "deputy foreign minister alexander grushko",
              "president", "tuesday", "august"):
        assert k not in keys, k


def test_entity_normalisation() -> None:
    keys = lambda t: [u.key for u in extract_entities(t)]  # noqa: E731
    assert keys("He met U.S. officials and the United States envoy.") == ["us", "us"]
    assert keys("Talks with Britain and the U.K. and the UK resumed.") == ["uk", "uk", "uk"]
    assert keys("He discussed Russia’s demands.") == ["russia"]
    assert keys("He met President Vladimir Putin.") == ["vladimir putin"]
    assert keys("Meanwhile, Speaking aboard the ship, he left.") == []
    (u,) = extract_entities("Russia’s demands")
    assert u.text == "Russia"
    (p,) = extract_entities("They met Putin.")
    (vp,) = extract_entities("They met Vladimir Putin.")
    (mt,) = extract_entities("They met Melania Trump.")
    (dt,) = extract_entities("They met Donald Trump.")
    assert compatible(p, vp) is True
    assert compatible(mt, dt) is False
    assert compatible(p, dt) is None


def test_title_case_headline_is_not_a_name_list(seeds: dict[str, str]) -> None:
    headline = "Zelensky Accuses Russia of Sabotaging Peace Efforts"
    keys = {u.key for u in extract_entities(headline)}
    assert keys == {"zelensky", "russia"}


def test_entity_weights(seeds: dict[str, str]) -> None:
    w = entity_weights(seeds["000"])
    assert w["izvestia"] > w["us"] > 0
    assert w["alexander grushko"] > w["nato"]
    assert "the" not in w and "meanwhile" not in w


# --------------------------------------------------------------------------- extract_units


def test_extract_units_offsets_and_order(seeds: dict[str, str]) -> None:
    text = seeds["000"]
    sent, off = _sentence(text, "Russia currently holds")
    units = extract_units(sent, offset=off)
    assert units == sorted(units, key=lambda u: (u.start, u.end, u.kind))
    for u in units:
        assert text[u.start:u.end] == u.text
    kinds = {u.kind for u in units}
    assert {"number", "entity"} <= kinds
    whole = extract_units(text)
    assert {u.kind for u in whole} == {"number", "date", "quote", "attribution", "entity"}


def test_unrelated_kinds_not_comparable() -> None:
    (n,) = extract_numbers("20%")
    (d,) = extract_dates("in 2022")
    assert compatible(n, d) is None


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=0, max_value=10_000))
def test_extract_units_never_crashes_and_spans_match(text: str, offset: int) -> None:
    for u in extract_units(text, offset=offset):
        assert text[u.start - offset:u.end - offset] == u.text
        assert u.start <= u.end
        assert u.kind in {"number", "date", "quote", "attribution", "entity"}


_NEWSY = st.lists(
    st.sampled_from(list("aA eE1 2,.%$£“”\"'‘’-—…:\n") + [
        " about ", " a fifth ", "Mr. ", " U.S. ", " last ", "August", " said ", " told ",
        " President ", "Putin", " 30-day ", " twenty ", " percent ", " May ", " 2022 ",
        " of ", " the ", "Bank", " three ", "-year-old", " million ", " and a half ",
    ]),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_NEWSY)
def test_extract_units_on_news_like_noise(text: str) -> None:
    for u in extract_units(text, offset=7):
        assert text[u.start - 7:u.end - 7] == u.text
        assert isinstance(u.key, str)
    for u in extract_units(text):
        for v in extract_units(text):
            compatible(u, v)  # never raises


# --------------------------------------------------------------------------- durations (issue 19)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("an hour and a half", "1.5|hour"),
        ("half an hour", "0.5|hour"),
        ("a half-hour call", "0.5|hour"),
        ("a month-long truce", "1|month"),
        ("the war has lasted over a year", "1|year"),
        ("the war is now in its second year", "1.5|year"),
        ("entering its fourth year", "3.5|year"),
        ("for a year and a half", "1.5|year"),
    ],
)
def test_duration_keys(text: str, key: str) -> None:
    assert [u.key for u in extract_numbers(text)] == [key]


@pytest.mark.parametrize("text", ["once a year", "three times a week", "the second round", "a year ago"])
def test_not_durations(text: str) -> None:
    assert not [u for u in extract_numbers(text) if u.unit in ("year", "week", "day", "month", "hour")]


def test_durations_compare_across_units_and_ordinals() -> None:
    def one(t: str) -> Unit:
        (u,) = extract_numbers(t)
        return u

    assert compatible(one("a 90-minute call"), one("an hour and a half")) is True
    assert compatible(one("a 90-minute call"), one("a two-hour call")) is False
    assert compatible(one("a 30-minute call"), one("half an hour")) is True
    assert compatible(one("three years"), one("36 months")) is True
    assert compatible(one("a month"), one("30 days")) is True
    # "In its second year" is more than one year and at most two.
    assert compatible(one("in its second year"), one("has lasted over a year")) is True
    assert compatible(one("in its second year"), one("after four years")) is False
    assert compatible(one("in its second year"), one("three years")) is False
    assert compatible(one("in its third year"), one("three years")) is True


def test_an_age_set_off_by_commas_after_a_name_is_an_age():
    """"Kris, 61, and Corey": the news convention for an age, so "aged 61" states it and "aged 65" changes it;
    a count after a weekday or a place is no age."""
    from copydesk import verify
    from copydesk.featurize.units import extract_units

    def nums(t: str) -> list[tuple[str, str]]:
        return [(u.text, u.unit or "") for u in extract_units(t) if u.kind == "number"]

    assert nums("Sinfield, 34, the greatest captain, will join.") == [("34", "age")]
    assert nums("On Monday, 12, people died.") == [("12", "")]
    assert nums("In Paris, 15 people died.") == [("15 people", "people")]
    src = "Kris, 61, and 36-year-old Corey haven't been seen together in public since Valentine's Day."
    assert not verify(src, "Kris, aged 61, and Corey, aged 36, haven't been seen in public since Valentine's Day.").flagged
    r = verify(src, "Kris, aged 65, and Corey, aged 36, haven't been seen in public since Valentine's Day.")
    assert [c.reason for c in r.flagged] == ["age changed: “aged 65” here; the source says “61”"]


def _numbers(text: str) -> list[tuple[str, str]]:
    return [(u.key, u.text) for u in extract_units(text) if u.kind == "number"]


def _first_number(text: str) -> Unit:
    return [u for u in extract_units(text) if u.kind == "number"][0]


def test_a_tally_is_one_fact_and_replaces_its_two_counts() -> None:
    """ "voted 58-42" is one unit whose key does not depend on the order or the joining word; ages, years,
    team lists and counts of things are no tallies."""
    assert _numbers("The Senate voted 58-42 on Tuesday.") == [("58:42|tally", "58-42")]
    assert _numbers("The bill passed by 218 votes to 210.") == [("218:210|tally", "218 votes to 210")]
    assert _numbers("They lost 2–0 to Chelsea.") == [("2:0|tally", "2–0")]
    one = extract_tallies("won 3-1")[0]
    assert compatible(one, extract_tallies("a 1 - 3 defeat")[0]) is True
    assert compatible(one, extract_tallies("won 3-2")[0]) is False
    assert compatible(extract_tallies("voted 58-42")[0], extract_tallies("a 58 to 40 vote")[0]) is False
    assert compatible(one, extract_numbers("3 goals")[0]) is None
    for text in ("aged 18-24 voted", "the 2019-2020 season was won", "The company won 5 to 10 contracts.",
                 "open from 9 to 5 on weekdays"):
        assert extract_tallies(text) == [], text


def test_a_fortnight_is_two_weeks() -> None:
    (f,) = extract_fortnights("The repairs will take a fortnight.")
    assert (f.key, f.text) == ("2|week", "a fortnight")
    assert compatible(f, extract_numbers("14 days")[0]) is True
    assert compatible(f, extract_numbers("a month")[0]) is False
    assert _numbers("It took two fortnights.") == [("4|week", "two fortnights")]  # not a count of fortnights
    assert extract_fortnights("fortnightly meetings") == []


def test_a_calendar_quarter_is_a_date() -> None:
    def dates(text: str) -> list[tuple[str, str]]:
        return [(u.key, u.text) for u in extract_units(text) if u.kind == "date"]

    assert dates("Sales rose in the second quarter.") == [("quarter:2", "second quarter")]
    assert dates("Third-quarter profit fell.") == [("quarter:3", "Third-quarter")]
    assert dates("Profit fell in Q3 2023.") == [("year:2023|quarter:3", "Q3 2023")]  # a date, not a name Q3
    assert not [u for u in extract_units("Profit fell in Q3 2023.") if u.kind == "entity"]
    assert dates("in the first quarter of 2021") == [("year:2021|quarter:1", "first quarter of 2021")]
    assert dates("in the April-to-June quarter") == [("quarter:2", "April-to-June quarter")]
    assert dates("in the first three months of 2003") == [("year:2003|quarter:1", "first three months of 2003")]
    assert [u.key for u in extract_units("over the last three months")] == ["3|month"]  # a period, no quarter
    # Three months that are no calendar quarter stay months; a fiscal quarter is no calendar one; "a quarter"
    # is a share.
    assert dates("in the June-to-August quarter") == [("month:6", "June"), ("month:8", "August")]
    assert dates("in its fiscal second quarter") == []
    assert [u.key for u in extract_units("a quarter of voters")] == ["25|percent"]
    assert dates("A field goal tied the game late in the third quarter.") == []  # a period of play
    (q,) = [u for u in extract_units("Sales fell in the second quarter.") if u.kind == "date"]
    assert compatible(q, extract_dates("in May")[0]) is True
    assert compatible(q, extract_dates("in August")[0]) is False


def test_decades_ago_are_years_ago() -> None:
    def ago(text: str) -> Unit:
        (u,) = [u for u in extract_units(text) if u.kind == "date"]
        return u

    assert compatible(ago("two decades ago"), ago("20 years ago")) is True
    assert compatible(ago("two decades ago"), ago("nearly 40 years ago")) is False
    assert compatible(ago("a decade ago"), ago("ten years ago")) is True


def test_the_year_to_a_month_is_a_year() -> None:
    (y,) = extract_year_to("Prices rose 3.2% in the year to March.")
    assert (y.key, y.text) == ("1|year", "year")
    assert compatible(y, extract_numbers("the 12 months to March")[0]) is True
    assert extract_year_to("the year to come") == []
    assert extract_year_to("last year") == []


def test_a_temperature_below_zero_is_signed() -> None:
    for text, phrase in (("It fell to minus 10 degrees.", "minus 10 degrees"), ("It fell to -10°C.", "-10°C"),
                         ("It was 10 degrees below zero.", "10 degrees below zero")):
        (u,) = [u for u in extract_units(text) if u.kind == "number"]
        assert (u.value, u.text) == (-10.0, phrase), text
    (plain,) = extract_numbers("It fell to 10 degrees.")
    assert compatible(plain, [u for u in extract_units("minus 10 degrees") if u.kind == "number"][0]) is False
    assert _numbers("between 20-30 degrees") == [("20|degree", "20"), ("30|degree", "30 degrees")]
    # The relation features read the numbers unsigned, as before.
    assert [u.key for u in extract_numbers("It fell to minus 10 degrees.")] == ["10|degree"]


def test_group_speakers() -> None:
    assert [g[2:] for g in group_speakers("Police said the man fled. The man fled, prosecutors said.")] == [
        ("Police", "police"), ("prosecutors", "prosecutors")]
    assert [g[3] for g in group_speakers("According to local residents, it began at noon.")] == ["residents"]
    assert [g[3] for g in group_speakers("Officials said the road was closed.")] == [""]  # broad: any group
    assert group_speakers("He told police that he fled.") == ()
    assert group_speakers("Police chief John Smith said the man fled.") == ()


@pytest.mark.parametrize(
    "text,key",
    [
        ("Half a dozen ministers resigned.", "6|minister"),
        ("nearly half a million homeless", "500000|homeless"),
        ("About a quarter of a million people attended.", "250000|people"),
        ("three-quarters of a million dollars", "750000|dollar"),
        ("The fund lost one and a half million dollars.", "1500000|dollar"),
        ("a million and a half people", "1500000|people"),
        ("three and a half thousand miles", "3500|mile"),
    ],
)
def test_a_fraction_of_a_scale_word_is_a_count(text: str, key: str) -> None:
    """ "half a dozen" is 6 and "a quarter of a million" 250,000 (they were read as 50 % and 12, 25 % and a
    million); "one and a half million" is 1.5 million (it was 1.5). The relation features read them so too."""
    assert [u.key for u in extract_numbers(text)] == [key]
    assert [u.key for u in extract_numbers("half of the people")] == ["50|percent"]


def test_a_holiday_is_a_date_and_a_rise_in_percent_is_a_multiple() -> None:
    """ "New Year's Day" is January 1 (it was a name no other version names); "rose 200 percent" is "tripled"
    (and "300 percent", the usual misuse, too), "rose 500 percent" is not; a percentage under 100 beside a
    multiple may be a share: not compared."""
    (day,) = extract_units("The law takes effect on New Year's Day.")
    assert (day.kind, day.key) == ("date", "month:1|day:1")
    assert compatible(day, extract_dates("on January 1")[0]) is True
    assert compatible(day, extract_dates("on July 1")[0]) is False
    # A holiday dates something after a preposition of time; as a modifier it is neither a date nor a name.
    assert [u.key for u in extract_units("a Halloween party on New Years Eve")] == ["month:12|day:31"]
    assert [u.key for u in extract_units("The party was held this Halloween.")] == ["month:10|day:31"]

    num = _first_number
    assert compatible(num("Sales tripled."), num("Sales rose 200 percent.")) is True
    assert compatible(num("Sales tripled."), num("a 300% increase")) is True
    assert compatible(num("Sales tripled."), num("Sales rose 500 percent.")) is False
    assert compatible(num("Sales doubled."), num("Half of the sales.")) is None
    # "no fewer than 12" is "at least 12", "not more than 12" is "at most 12".
    assert compatible(num("at least 12 people"), num("no fewer than 12 people")) is True
    assert compatible(num("at least 12 people"), num("not more than 12 people")) is False
    assert compatible(num("at most 12 people"), num("not more than 12 people")) is True


def test_a_temperature_with_its_letter_is_read_and_converts() -> None:
    """ "40C", "- 15C", "104F" in a sentence about temperature are temperatures (they were no unit, so "40F" for
    "40C" passed); Celsius and Fahrenheit convert ("40C" = "104F"); "Room 40C" is no temperature."""
    num = _first_number
    assert [(u.key, u.text) for u in extract_units("gusts and - 15C temperatures") if u.kind == "number"] == [
        ("-15|celsius", "- 15C")]
    assert _numbers("temperatures of 40 C") == [("40|celsius", "40 C")]
    assert compatible(num("The temperature reached 40C."), num("The thermometer hit 104F.")) is True
    assert compatible(num("The temperature reached 40C."), num("The thermometer hit 40F.")) is False
    assert compatible(num("Temperatures hit 40°C."), num("The heat reached 40C.")) is True
    assert [u for u in extract_units("Room 40C was booked.") if u.kind == "number"] == []
