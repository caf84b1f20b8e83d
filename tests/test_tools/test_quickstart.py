"""The README's main job: the offline quickstart, end to end, as a user runs it.

Trains SKCL on scikit-learn's real handwritten digits (long-tailed, two
levels, shipped descriptions) with tools/train.py, then uses what a user gets:
resume, tools/test.py on the best checkpoint, and mmpretrain's inferencer.
"""
import glob
import json
import os.path as osp

import numpy as np
import pytest

from tests.tools_runner import REPO, run_tool

CONFIG = 'configs/quickstart/skcl_resnet32_digitslt.py'


@pytest.fixture(scope='module')
def quickstart(tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('quickstart'))
    cache = str(tmp_path_factory.mktemp('graph_cache'))
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', work_dir],
                    dict(SKCL_MM_CACHE=cache))
    return work_dir, proc.stdout + proc.stderr, cache


def _final_metrics(work_dir):
    scalars = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    rows = [json.loads(line) for line in open(scalars[0])]
    return [r for r in rows if 'long_tail/top1' in r][-1]


def test_quickstart_learns_the_digits(quickstart):
    work_dir, log, _ = quickstart
    assert 'SemanticGraphHook: set a new semantic graph, (10, 2)' in log
    # The digits graph has one hub, in the run's log (docs/semantic_graph.md).
    assert ("SemanticGraphHook: semantic graph: 1 class(es) are Top-2 neighbours "
            "of far more classes") in log and "'nine' of 5 (" in log
    assert osp.isfile(osp.join(work_dir, 'semantic_graph',
                               'similarity_heatmap.png'))
    assert osp.isfile(osp.join(work_dir, 'semantic_graph', 'semantic_graph.html'))
    # Quiet: no mmcv-lite import warning, no mmengine FileClient notices.
    assert 'MultiScaleDeformableAttention' not in log
    assert 'FileClient' not in log and 'HardDiskBackend' not in log
    final = _final_metrics(work_dir)
    # 10 classes: chance is 10%. The measured run reaches about 96% (README).
    assert final['long_tail/top1'] > 60, final
    assert final['long_tail/many'] > 60 and final['long_tail/few'] > 20, final
    assert final['long_tail/level0_top1'] > 60, final
    assert glob.glob(osp.join(work_dir, 'best_long_tail_top1_epoch_*.pth'))
    assert osp.isfile(osp.join(work_dir, 'epoch_20.pth'))


def test_resume_keeps_graph_and_subset(quickstart):
    work_dir, _, cache = quickstart
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', work_dir, '--resume',
                     '--cfg-options', 'train_cfg.max_epochs=21'],
                    dict(SKCL_MM_CACHE=cache))
    log = proc.stdout + proc.stderr
    assert 'resumed epoch: 20' in log
    assert 'SemanticGraphHook: kept the semantic graph' in log
    assert '503 images, 10 classes, 2 level(s) [3, 10]' in log
    assert 'Epoch(train) [21]' in log and 'Epoch(train)  [1]' not in log


def test_test_tool_reports_many_medium_few(quickstart, tmp_path):
    work_dir = quickstart[0]
    best = glob.glob(osp.join(work_dir, 'best_long_tail_top1_epoch_*.pth'))[0]
    out = tmp_path / 'metrics.json'
    run_tool(['tools/test.py', CONFIG, best, '--work-dir', str(tmp_path),
              '--out', str(out), '--out-item', 'metrics'])
    metrics = json.loads(out.read_text())
    assert set(metrics) >= {'long_tail/top1', 'long_tail/many', 'long_tail/medium',
                            'long_tail/few', 'long_tail/level0_top1'}
    assert metrics['long_tail/top1'] > 60


def test_mmpretrain_inferencer_predicts(quickstart):
    import skcl_mm  # noqa: F401
    from mmpretrain import ImageClassificationInferencer
    from skcl_mm.datasets import SklearnDigits
    best = glob.glob(osp.join(quickstart[0], 'best_long_tail_top1_epoch_*.pth'))[0]
    inferencer = ImageClassificationInferencer(osp.join(REPO, CONFIG), pretrained=best,
                                               device='cpu')
    test_set = SklearnDigits(split='test')
    picks = [test_set.get_data_info(i) for i in range(0, 500, 50)]  # one per class
    results = inferencer([np.ascontiguousarray(p['img']) for p in picks])
    predicted = [r['pred_class'] for r in results]
    expected = [SklearnDigits.METAINFO['classes'][p['gt_label']] for p in picks]
    assert sum(p == e for p, e in zip(predicted, expected)) >= 6, (predicted, expected)
    assert all(len(r['pred_scores']) == 10 for r in results)


def test_readme_inferencer_snippet_runs_as_pasted(quickstart, capsys):
    """The README's prediction snippet, with only the work dir substituted."""
    readme = open(osp.join(REPO, 'README.md')).read()
    block = readme.split('After the quickstart, this runs as pasted:')[1]
    code = block.split('```python\n')[1].split('```')[0]
    assert "'work_dirs/skcl_resnet32_digitslt/epoch_20.pth'" in code
    # The last checkpoint of this work dir (the resume test may have gone on to 21).
    last = sorted(glob.glob(osp.join(quickstart[0], 'epoch_*.pth')))[-1]
    code = code.replace("'work_dirs/skcl_resnet32_digitslt/epoch_20.pth'", repr(last))
    code = code.replace("'configs/quickstart/", repr(REPO + '/configs/quickstart/')[:-1])
    exec(compile(code, 'README.md', 'exec'), {})
    # mmpretrain's progress bar may share the line: the class is printed last.
    assert capsys.readouterr().out.strip().endswith('zero')
