"""Semantics: class descriptions (LLM or shipped sets) and the semantic graph."""
from .class_lists import ClassLists, load_class_lists
from .description_generator import GenerationReport, generate_descriptions
from .description_prompt import build_prompt, build_prompts, prompt_hash
from .descriptions import (DescriptionFileError, InvalidDescriptionsError,
                           MissingDescriptionsError, build_description_set,
                           check_description_texts, check_descriptions,
                           load_descriptions, read_description_file,
                           write_description_file)
from .llm_client import MissingAPIKeyError, RetryPolicy

__all__ = [
    'ClassLists', 'load_class_lists', 'GenerationReport', 'MissingAPIKeyError',
    'RetryPolicy', 'generate_descriptions', 'build_prompt', 'build_prompts',
    'prompt_hash', 'DescriptionFileError', 'InvalidDescriptionsError',
    'MissingDescriptionsError', 'check_description_texts',
    'build_description_set', 'check_descriptions', 'load_descriptions',
    'read_description_file', 'write_description_file'
]
# Semantic graph (graph engineer).
from .encoder import EncoderUnavailableError, SentenceEncoder, build_encoder
from .graph import (SemanticGraph, build_semantic_graph, cosine_similarity,
                    node_levels, node_names, node_texts, top_k_neighbours)
from .graph_cache import default_cache_dir
from .graph_contract import (GRAPH_MODES, GraphRequest, candidate_mask,
                             normalize_mode, num_candidates,
                             resolve_num_neighbours)
from .graph_html import write_graph_html

__all__ += [
    'EncoderUnavailableError', 'SentenceEncoder', 'build_encoder',
    'GRAPH_MODES', 'GraphRequest', 'normalize_mode', 'num_candidates',
    'resolve_num_neighbours', 'SemanticGraph', 'build_semantic_graph',
    'candidate_mask',
    'cosine_similarity', 'node_levels', 'node_names', 'node_texts',
    'top_k_neighbours', 'default_cache_dir', 'write_graph_html'
]
