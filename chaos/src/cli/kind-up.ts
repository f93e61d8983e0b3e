/**
 * `faultline up --platform kind` (make up) and `faultline doctor --platform kind`. The preflight
 * runs first and stops everything when a check fails: nothing is created, exit 1.
 */
import { formatChecks, kindPreflight } from './doctor-kind.js';
import { CHART_DIR, KIND_CONFIG } from './kind-pins.js';

/** Prints the checks; true when every one passed. */
export async function doctorKind(): Promise<boolean> {
  const checks = await kindPreflight();
  const failed = checks.filter((c) => !c.ok);
  process.stdout.write(`faultline doctor --platform kind\n${formatChecks(checks)}\n`);
  if (failed.length > 0)
    process.stderr.write(
      `faultline: ${failed.length} check(s) failed: ${failed.map((c) => c.what).join(', ')}\n`,
    );
  return failed.length === 0;
}

export async function upKind(): Promise<never> {
  if (!(await doctorKind())) {
    process.stderr.write(
      'faultline: make up stopped at the preflight; nothing was created (fix the FAIL lines above and run it again)\n',
    );
    process.exit(1);
  }
  // The automated path (create unless it exists, docker build, kind load image-archive,
  // helm upgrade --install --wait with progress) is not written yet: say the manual steps.
  process.stderr.write(
    [
      'faultline: the preflight passed, but up --platform kind does not yet automate the rest. By hand:',
      `  kind create cluster --config ${KIND_CONFIG}`,
      '  docker build -t faultline:0.1.0-$(git rev-parse --short HEAD) .',
      '  docker save faultline:0.1.0-$(git rev-parse --short HEAD) -o /tmp/faultline.tar && kind load image-archive /tmp/faultline.tar --name faultline',
      `  helm upgrade --install faultline ${CHART_DIR} -n faultline --create-namespace --wait --set image.tag=0.1.0-$(git rev-parse --short HEAD)`,
      '',
    ].join('\n'),
  );
  process.exit(3);
}
