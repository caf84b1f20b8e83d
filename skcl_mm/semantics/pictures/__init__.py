"""Pictures of a semantic graph that stay readable from 10 to 1000 classes.

``class_groups``: the blocks every picture draws (superclasses, or clusters of
S for one level); ``heatmap`` / ``heatmap_panels``: the similarity overview and
one heatmap per block; ``neighbour_ring`` / ``neighbour_summary`` /
``neighbour_panels``: the Top-K links on a ring, between blocks, and per
block; ``canvas``: figures, colours, the link scale and pages. The entry point
is :func:`skcl_mm.semantics.visualize.save_graph_files`.
"""
