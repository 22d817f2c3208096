/**
 * CI configuration: the files that decide which jobs a push runs, with which permissions and
 * secrets. A task's change to them is not published unless the stack allows it, since a pushed
 * `agent/<id>` branch would run them (a push-triggered workflow sees the repository's secrets).
 */

/** Folders whose every file is CI configuration (compared in lower case). */
const CI_FOLDERS = [
  '.github/workflows',
  '.github/actions',
  '.gitea/workflows',
  '.forgejo/workflows',
  '.circleci',
  '.buildkite',
  '.woodpecker',
  '.gitlab/ci',
];

/** File names that are CI configuration wherever they are (local GitHub actions, Jenkinsfiles, includes). */
const CI_FILES = new Set([
  '.gitlab-ci.yml',
  '.gitlab-ci.yaml',
  'azure-pipelines.yml',
  'azure-pipelines.yaml',
  'jenkinsfile',
  '.travis.yml',
  'bitbucket-pipelines.yml',
  '.drone.yml',
  'appveyor.yml',
  '.appveyor.yml',
  '.woodpecker.yml',
  '.cirrus.yml',
  'buildspec.yml',
  'cloudbuild.yaml',
  'cloudbuild.yml',
  'codemagic.yaml',
  'action.yml',
  'action.yaml',
]);

/**
 * Whether a repository path is CI configuration: under one of the CI folders, named like a CI
 * file anywhere, or a file or symbolic link standing where a CI folder (or one of its parents)
 * would be. Letter case is ignored (case-insensitive checkouts, and to err on the safe side).
 */
export function isCiConfigPath(path: string): boolean {
  const p = path.toLowerCase().replace(/\/+$/, '');
  if (CI_FILES.has(p.slice(p.lastIndexOf('/') + 1))) return true;
  return CI_FOLDERS.some((dir) => p === dir || p.startsWith(`${dir}/`) || dir.startsWith(`${p}/`));
}
