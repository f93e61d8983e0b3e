/**
 * The one faultline image for `make up`: tagged `<version>-<git sha>` (`-dirty` when the tree
 * has uncommitted changes, so a changed build never hides behind a commit's tag; never
 * `latest`), built with `docker build`, and put into the kind node with `docker save` +
 * `kind load image-archive` — `kind load docker-image` breaks with Docker's containerd image
 * store.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool, type KindTools } from './kind-tools.js';

export const IMAGE_REPOSITORY = 'faultline';

/**
 * `<version>-<short sha>[-dirty]` for the checkout at `root`; `FAULTLINE_IMAGE_TAG` instead
 * when set (to redeploy a tag built before), never `latest`.
 */
export function imageTag(root: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.FAULTLINE_IMAGE_TAG !== undefined) {
    if (
      !/^[\w][\w.-]{0,127}$/.test(env.FAULTLINE_IMAGE_TAG) ||
      env.FAULTLINE_IMAGE_TAG === 'latest'
    )
      throw new Error(
        `FAULTLINE_IMAGE_TAG=${env.FAULTLINE_IMAGE_TAG}: expected a Docker tag other than latest, such as 0.1.0-3f2c1ab`,
      );
    return env.FAULTLINE_IMAGE_TAG;
  }
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
  let sha: string;
  let dirty: boolean;
  try {
    sha = git('rev-parse', '--short', 'HEAD');
    dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
  } catch {
    throw new Error(
      `cannot tag the image: ${root} is not a git checkout (the tag is <version>-<git sha>)`,
    );
  }
  return `${version}-${sha}${dirty ? '-dirty' : ''}`;
}

export async function buildAndLoadImage(
  tools: KindTools,
  root: string,
  cluster: string,
  tag: string,
): Promise<string> {
  const image = `${IMAGE_REPOSITORY}:${tag}`;
  tools.log(`image: docker build -t ${image} (the first build takes a few minutes; cached after)`);
  await runTool(tools, tools.docker, ['build', '-t', image, root], { prefix: '  docker | ' });
  const dir = await mkdtemp(join(tmpdir(), 'faultline-image-'));
  try {
    const archive = join(dir, 'faultline.tar');
    tools.log(`image: docker save + kind load image-archive into ${cluster}`);
    await runTool(tools, tools.docker, ['save', image, '-o', archive]);
    await runTool(tools, tools.kind, ['load', 'image-archive', archive, '--name', cluster], {
      prefix: '  kind | ',
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return image;
}
