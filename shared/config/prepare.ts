import { type Checked, mapChecked } from './checked';
import { appSettings, type Settings } from './settings';

/**
 * A function's dependencies, built from its capability's settings on first use and kept: module load must not
 * throw (one file that throws stops the whole app in Azure, see local-host/README.md), so nothing is read there.
 */
export function prepare<C, D>(settings: (s: Settings) => Checked<C>, build: (config: C) => D): () => Checked<D> {
  let prepared: Checked<D> | undefined;
  return () => (prepared ??= mapChecked(settings(appSettings()), build));
}
