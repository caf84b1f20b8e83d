"""The Markdown of tools/analysis_tools/gpu_report.py: machine and one table per part."""
import os
import platform
import subprocess
from typing import Dict, List


def environment(device: str) -> Dict:
    """Torch, CUDA, the GPU's name and driver (nvidia-smi), CPU cores."""
    import torch
    import torchvision
    env = dict(device=device, torch=torch.__version__, torchvision=torchvision.__version__,
               cpu_cores=os.cpu_count(), cpu=platform.processor() or platform.machine())
    if device.startswith('cuda'):
        env.update(gpu=torch.cuda.get_device_name(0), cuda=torch.version.cuda,
                   cudnn=torch.backends.cudnn.version())
        try:
            env['driver'] = subprocess.run(
                ['nvidia-smi', '--query-gpu=driver_version', '--format=csv,noheader'],
                capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            env['driver'] = 'unknown (nvidia-smi failed)'
    return env


def _number(value, digits: int = 2) -> str:
    return '-' if value is None else f'{value:.{digits}f}'


def _step_rows(parts: List[Dict]) -> List[str]:
    rows = ['| compile | step s | images/s | head + loss s | head + loss fraction | '
            'first (compiling) step s |', '|---|---|---|---|---|---|']
    for part in parts:
        res = part.get('result')
        if res is None:
            continue
        rows.append(f"| {part['name'][5:]} | {_number(res.get('skcl_step_s'), 4)} | "
                    f"{_number(res.get('step_images_per_s'), 0)} | "
                    f"{_number(res.get('skcl_head_loss_s'), 4)} | "
                    f"{_number(100 * res['head_loss_fraction'], 1)} % | "
                    f"{_number(res.get('skcl_step_first_call_s'), 1)} |")
    return rows


def _epoch_rows(res: Dict) -> List[str]:
    rows = ['| path | s per epoch | data wait s | steady s/epoch | images/s | peak MiB |',
            '|---|---|---|---|---|---|']
    for path, r in res['paths'].items():
        rows.append(f"| {path} | {', '.join(f'{s:.2f}' for s in r['epoch_s'])} | "
                    f"{', '.join(f'{s:.2f}' for s in r['data_time_s'])} | "
                    f"{r['steady_epoch_s']:.2f} | {r['images_per_s']:.0f} | "
                    f"{_number(r.get('peak_memory_mib'), 0)} |")
    rows.append(f"\n{res['dataset_images']} training images, batch {res['batch_size']}, "
                f"{res['num_workers']} workers (worker path), amp {res['amp']}; speed over "
                f"the worker path: "
                + ', '.join(f'{p} x{v:.2f}' for p, v in res['speed_over_worker'].items())
                + '.')
    return rows


def _jobs_rows(res: Dict) -> List[str]:
    batch = res.get('throughput') or {}
    if not batch:
        return ['(no throughput figures in the run_seeds report)']
    return ['| figure | value |', '|---|---|'] + [
        f'| {key} | {value:.2f} |' if isinstance(value, float) else f'| {key} | {value} |'
        for key, value in batch.items() if not isinstance(value, (dict, list))]


def _decode_rows(res: Dict) -> List[str]:
    rows = ['| path | end-to-end images/s | one worker images/s | preprocessor images/s '
            '| peak MiB |', '|---|---|---|---|---|']
    for path, r in res['paths'].items():
        rows.append(f"| {path} | {r['images_per_s']:.1f} | {r['worker_images_per_s']:.1f} | "
                    f"{r['preprocessor_images_per_s']:.1f} | "
                    f"{_number(r.get('peak_memory_mib'), 0)} |")
    if 'gpu_over_cpu' in res:
        rows.append(f"\ndevice decoding / CPU decoding: x{res['gpu_over_cpu']:.2f}.")
    return rows


TITLES = dict(step='Training step, ResNet-32, CIFAR-100-LT fast config (tools/benchmark.py)',
              epoch='CIFAR-100-LT IF100 epoch: workers vs device-resident (real Runner)',
              jobs='Concurrent seeds on one device (tools/run_seeds.py --jobs)',
              decode='ImageNet-LT views: CPU decoding vs device decoding')


def markdown(report: Dict) -> str:
    """The report as Markdown: the machine, then per part its command and table."""
    env = ', '.join(f'{k} {v}' for k, v in report.items()
                    if k not in ('parts', 'small', 'budget_s'))
    lines = ['# GPU report (tools/gpu_report.sh)', '', f'Machine: {env}.', '']
    if report['small']:
        lines += ['**--small**: tiny sizes, a check that the report runs; the numbers '
                  'describe nothing.', '']
    groups: Dict[str, List[Dict]] = {}
    for part in report['parts']:
        groups.setdefault(part['name'].split('_')[0], []).append(part)
    for kind, parts in groups.items():
        lines += [f'## {TITLES.get(kind, kind)}', '']
        for part in parts:
            lines.append(f"- `{part.get('command', part['name'])}`: exit {part['exit']}"
                         + (f", {part['seconds']} s" if 'seconds' in part else '')
                         + (f", log {part['log']}" if part.get('exit') != 0 and 'log' in part
                            else ''))
        done = [p for p in parts if p.get('result') is not None]
        if done:
            first = done[0]['result']
            tables = dict(step=lambda: _step_rows(done), epoch=lambda: _epoch_rows(first),
                          jobs=lambda: _jobs_rows(first), decode=lambda: _decode_rows(first))
            lines += [''] + tables[kind]()
        lines.append('')
    return '\n'.join(lines)
