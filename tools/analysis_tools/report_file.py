"""Write a tool's report: the Markdown file and a JSON copy next to it."""
import json
import os
import os.path as osp


def write_report(data: dict, markdown: str, out: str) -> str:
    """Write ``markdown`` to ``out`` and ``data`` to ``out`` with ``.json``.

    Returns:
        str: The JSON file's path.
    """
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out, 'w') as f:
        f.write(markdown)
    json_path = osp.splitext(out)[0] + '.json'
    with open(json_path, 'w') as f:
        json.dump(data, f, indent=2)
    return json_path
