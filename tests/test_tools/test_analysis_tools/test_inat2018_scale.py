"""tools/analysis_tools/inat2018_scale.py: the synthetic taxonomy and a tiny run."""
import json
from collections import Counter

from analysis_tools import inat2018_scale as scale

from skcl_mm.datasets.inat_taxonomy import Taxonomy, categories_of
from tests.tools_runner import run_tool


def test_synthetic_taxonomy_has_the_release_node_counts():
    cats = scale.synthetic_categories()
    taxonomy = Taxonomy(categories_of(cats, 'synthetic'))
    assert taxonomy.level_sizes == list(scale.RELEASE_SIZES) == [
        6, 25, 57, 273, 1120, 4412, 8142]
    assert sum(taxonomy.level_sizes) == 14035
    # every node of a rank has at least one child
    genus_per_species = Counter(c['genus'] for c in cats)
    assert len(genus_per_species) == 4412 and min(genus_per_species.values()) >= 1
    assert cats == scale.synthetic_categories()  # seeded


def test_a_tiny_run_reports_time_and_memory(tmp_path):
    out = tmp_path / 'scale.json'
    run_tool(['tools/analysis_tools/inat2018_scale.py', '--cases', 'head',
              '--sizes', '2', '3', '3', '4', '5', '6', '8', '--batch-size', '4',
              '--iters', '1', '--json', str(out)])
    (head, ) = json.loads(out.read_text())
    assert head['case'] == 'head:4' and head['nodes'] == 31
    assert head['step_s'] > 0 and head['peak_mib'] > 0 and head['loss'] > 0
