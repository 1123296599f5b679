import type { Command } from 'commander';
export function registerReportCommand(program: Command, setExitCode: (code: number) => void): void {
  void program;
  void setExitCode;
}
