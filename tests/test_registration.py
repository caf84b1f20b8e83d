"""Importing skcl_mm registers every component into mmpretrain's registries."""
import json
import subprocess
import sys

from tests.tools_runner import REPO

EXPECTED = {
    'model': {'CifarResNet', 'MultiViewClsDataPreprocessor', 'SKCLHead', 'SKCLLoss',
              'LogitAdjustedCrossEntropyLoss'},
    'dataset': {'LongTailHierarchyDataset', 'SklearnDigits'},
    'data sampler': {'ClassAwareSampler'},
    'transform': {'CifarAutoAugment', 'HueSafeColorJitter'},
    'metric': {'LongTailAccuracy'},
    'hook': {'TrainCountsHook', 'SemanticGraphHook'},
}

SCRIPT = r'''
import json
import mmpretrain.datasets, mmpretrain.engine, mmpretrain.evaluation, mmpretrain.models
from mmpretrain import registry
regs = {r.name: r for r in (registry.MODELS, registry.DATASETS, registry.DATA_SAMPLERS,
                            registry.TRANSFORMS, registry.METRICS, registry.HOOKS)}
before = {name: set(r.module_dict) for name, r in regs.items()}
from mmengine.config import Config
cfg = Config(dict(custom_imports=dict(imports=['skcl_mm'], allow_failed_imports=False)))
from mmengine.utils import import_modules_from_strings
import_modules_from_strings(**cfg.custom_imports)
added = {name: sorted(set(r.module_dict) - before[name]) for name, r in regs.items()}
from mmengine.registry import DefaultScope
with DefaultScope.overwrite_default_scope('mmpretrain'):
    head = registry.MODELS.build(dict(type='SKCLHead', in_channels=8, level_num_classes=[2, 4]))
print(json.dumps(dict(added=added, head=type(head).__name__)))
'''


def test_custom_imports_register_everything_without_clashes():
    proc = subprocess.run([sys.executable, '-c', SCRIPT], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    for registry_name, names in EXPECTED.items():
        # New names only: mmpretrain had none of them (and mmengine refuses
        # a duplicate without force=True, so the import itself would fail).
        added = set(result['added'][registry_name])
        assert names <= added, (registry_name, names - added)
    assert result['head'] == 'SKCLHead'
