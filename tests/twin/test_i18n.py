"""Chinese and English throughout: every label the code asks for exists in both languages, the Chinese terminal
summary is aligned in terminal columns and speaks Chinese, and the Chinese report leaves no English word outside
the units, ids and names a user wrote."""

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lingtan.twin.core.scenario import load_scenario, scenario_from_dict
from lingtan.twin.core.schema.criteria import PACK_NAMES
from lingtan.twin.reports.html import write_html
from lingtan.twin.reports.i18n import LABELS, label, pack_label, unit_text
from lingtan.twin.reports.summary import _cols, economics_lines, park_summary, summary_table
from lingtan.twin.run import simulate
from lingtan.twin.studies.economics import project_economics
from lingtan.twin.studies.park import simulate_park

ROOT = Path(__file__).resolve().parents[2]
FACTORY = ROOT / "scenarios" / "hefei_auto_parts.yaml"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")

# Labels whose Chinese is written in Latin letters, as Chinese texts write them.
LATIN_IN_CHINESE = {"offset_ccer_t", "wf_ccer"}


def _label_keys_in_code() -> set[tuple[str, str]]:
    """(file, key) of every ``label("key", ...)``, ``pack_label``-free literal, and ``progress.stage("key", ...)``
    in the engine, the dashboard and the validation."""
    found = set()
    for folder in ("twin", "dashboard", "validation"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                first = node.args[0]
                if name in ("label", "stage") and isinstance(first, ast.Constant) and isinstance(first.value, str):
                    if name == "stage" and not first.value.startswith("progress_"):
                        continue
                    found.add((str(path.relative_to(ROOT)), first.value))
    return found


def test_every_label_the_code_asks_for_exists():
    missing = sorted((f, k) for f, k in _label_keys_in_code() if k not in LABELS)
    assert missing == [], f"label keys used but not in i18n.LABELS (they would show as raw names): {missing}"


def test_every_label_has_chinese():
    untranslated = sorted(k for k, (en, zh) in LABELS.items() if k not in LATIN_IN_CHINESE and not CJK.search(zh))
    assert untranslated == [], f"labels whose Chinese has no Chinese character: {untranslated}"


@pytest.mark.parametrize("pack", PACK_NAMES)
def test_every_pack_has_a_name_in_both_languages(pack):
    for short in (False, True):
        en, zh = pack_label(pack, "en", short), pack_label(pack, "zh", short)
        assert en != pack and CJK.search(zh) and not CJK.search(en), (pack, short, en, zh)


def test_units_in_chinese():
    assert unit_text("万 CNY/yr", "zh") == "万元/年"
    assert unit_text("万 CNY/yr", "en") == "万 CNY/yr"
    assert unit_text("MWh", "zh") == "MWh"


# ---------------------------------------------------------------------------------------- the terminal


@pytest.fixture(scope="module")
def hefei():
    return simulate(load_scenario(FACTORY), FACTORY.parent)


def _column_of(line: str, word: str) -> int:
    """Terminal column where ``word`` starts in ``line``."""
    return _cols(line[: line.index(word)])


def test_zh_summary_columns_line_up_in_terminal_columns(hefei):
    lines = summary_table(hefei, "zh").splitlines()
    rule = next(i for i, x in enumerate(lines) if set(x) == {"-"})
    end = next(i for i in range(rule + 1, len(lines)) if set(lines[i]) == {"-"})
    ends = {_cols(x.rstrip()) - _cols(x.rstrip().rsplit(" ", 1)[-1]) for x in lines[rule + 1 : end]}
    assert len(ends) == 1, "the value column ends at different terminal columns"
    rows = [x for x in lines if x.startswith("  ") and " 数值 " in x]
    assert len(rows) > 20
    for word in ("数值", "阈值", "裕度"):
        assert len({_column_of(x, word) for x in rows}) <= len(hefei.packs), word  # one column per pack


def test_zh_summary_speaks_chinese(hefei):
    text = summary_table(hefei, "zh")
    rows = [x for x in text.splitlines() if x.startswith("  ") and " 数值 " in x]
    english = {"declared", "simulated", "missing", "yes", "no", "pt", "PASS", "FAIL"}
    for row in rows:
        assert not english & set(re.findall(r"[A-Za-z]+", row)), row
        assert "_" not in row, f"a criterion id in a Chinese row: {row}"
    for pack in hefei.packs:
        assert f"== {pack_label(pack['pack'], 'zh')}:" in text
    assert "weather:" not in text and f"{label('term_weather', 'zh')}:" in text


def test_zh_economics_units(hefei):
    text = "\n".join(economics_lines(project_economics(hefei), "zh"))
    assert "万元" in text and "CNY" not in text and "/yr" not in text


def test_en_summary_is_unchanged_in_its_words(hefei):
    text = summary_table(hefei, "en")
    assert "declared" in text and "== hunan_factory_2025:" in text and "yes" in text


def _small_park():
    site = {"latitude": 31.87, "longitude": 117.23, "altitude_m": 27}
    data = {
        "name": "两家企业园区",
        "site": site,
        "year": 2025,
        "weather": {"source": "synthetic", "city": "hefei", "seed": 1},
        "grid": {"import_limit_kw": 30000, "tariff": "anhui_large_industry_2025", "emission_factor": "national_2022"},
        "tenants": [
            {"name": "甲厂", "loads": [{"name": "l", "kind": "shifts", "annual_e_kwh": 8e6}], "pv": []},
            {"name": "b_works", "loads": [{"name": "l", "kind": "shifts", "annual_e_kwh": 6e6}], "pv": []},
        ],
        "shared": {"pv": [{"name": "carport", "capacity_kwp": 3000}]},
        "criteria": ["anhui_park_2024"],
    }
    return simulate_park(scenario_from_dict(data), ".")


def test_zh_park_summary_aligns_tenant_names_of_either_script():
    text = park_summary(_small_park(), "zh")
    table = [x for x in text.splitlines() if x.split(" ")[0] in ("甲厂", "b_works", "企业")]
    assert len(table) == 3
    assert len({_cols(x) for x in table}) == 1, table  # right-aligned numbers: every row as wide
    assert "tenants" not in text and "Grid import" not in text and "园区可再生能源电力占比" in text


# ---------------------------------------------------------------------------------------- the report


class _Labels(HTMLParser):
    """The labels a reader sees: headings, table heads, card titles, verdict badges, gauge ticks and scales, the
    names of card details and the unit column; not the free texts quoted or explained (criteria texts, notes)."""

    TAGS = {"h1", "h2", "h3", "h4", "th", "button", "caption", "legend", "summary"}
    CLASSES = {"card-title", "card-sub", "badge", "tick", "scale", "detail", "unit"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.chunks = [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        self.stack.append((tag, classes))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if any(t in ("script", "style") for t, _ in self.stack) or not data.strip():
            return
        if any(t in self.TAGS or c & self.CLASSES for t, c in self.stack):
            self.chunks.append(data.strip())


# Latin words a Chinese label may hold: SI and energy units, and abbreviations Chinese documents write in Latin letters.
ALLOWED = {
    *"kWh MWh GWh kW MW kWp MWp kWh_th MWh_th kW_th tce kgce tCO2 tCO2e GJ Nm3 m2 kWh/m2 CO2 P10 P50 P90".split(),
    *"CCER GB/T PV LCOE IRR tCO2/tce tCO2e/tce tCO2/MWh kWh/m2".split(),
}


def _english_words(chunks: list[str]) -> list[tuple[str, str]]:
    found = []
    for chunk in chunks:
        for word in re.findall(r"[A-Za-z][A-Za-z0-9_]*(?:/[A-Za-z0-9_]+)*", chunk):
            if word not in ALLOWED and "_" not in word and len(word) > 1:  # ids keep their underscores
                found.append((word, chunk[:80]))
    return found


def test_zh_report_labels_have_no_english_word(hefei, tmp_path):
    path = tmp_path / "report.html"
    write_html(hefei, path, lang="zh", economics=project_economics(hefei))
    p = _Labels()
    p.feed(path.read_text(encoding="utf-8"))
    assert len(p.chunks) > 100  # the scan reads the labels, not nothing
    name = hefei.scenario.name  # the user's own words are shown as written
    english = _english_words([c.replace(name, "") for c in p.chunks])
    assert english == [], f"English words in the Chinese report's labels: {english[:40]} ({len(english)})"


def test_zh_workbook_units_are_chinese(hefei, tmp_path):
    import openpyxl

    from lingtan.twin.reports.excel import write_excel

    path = write_excel(hefei, tmp_path / "zh.xlsx", lang="zh", economics=project_economics(hefei))
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        units = {
            r[3] for name in ("KPIs", "Accounting", "Economics") for r in list(wb[name].iter_rows(values_only=True))[1:]
        }
    finally:
        wb.close()
    assert "比例" in units and "元" in units
    assert not units & {"fraction", "CNY", "CNY/kWh"}, units
