package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"
)

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh or fish)",
		ArgsUsage: "bash|zsh|fish",
		Description: `Completes commands, subcommands and flags. Load it in the current shell:

  source <(scopectl completion bash)        # bash; add to ~/.bashrc to keep it
  source <(scopectl completion zsh)         # zsh (after compinit); or ~/.zshrc
  scopectl completion fish | source         # fish; or save it in
                                            # ~/.config/fish/completions/scopectl.fish`,
		Action: completionAction,
	}
}

func completionAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return usageErrorf("name one shell: scopectl completion bash|zsh|fish")
	}
	switch shell := c.Args().First(); shell {
	case "bash":
		return writeString(c.App.Writer, bashCompletion)
	case "zsh":
		return writeString(c.App.Writer, zshCompletion)
	case "fish":
		script, err := c.App.ToFishCompletion()
		if err != nil {
			return err
		}
		return writeString(c.App.Writer, script)
	default:
		return usageErrorf("no completion for shell %q; use bash, zsh or fish", shell)
	}
}

func writeString(w io.Writer, s string) error {
	_, err := fmt.Fprint(w, s)
	return err
}

// The bash and zsh scripts ask scopectl itself for the candidates, with
// urfave/cli's --generate-bash-completion, so they follow the commands of
// the installed version.
const bashCompletion = `# bash completion for scopectl: source <(scopectl completion bash)
_scopectl_complete() {
  local cur="${COMP_WORDS[COMP_CWORD]}"
  local -a args=("${COMP_WORDS[@]:1:COMP_CWORD-1}")
  if [[ "$cur" == -* ]]; then args+=("$cur"); fi
  local IFS=$'\n'
  COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "${args[@]}" --generate-bash-completion 2>/dev/null)" -- "$cur"))
}
complete -o bashdefault -o default -F _scopectl_complete scopectl
`

const zshCompletion = `#compdef scopectl
# zsh completion for scopectl: source <(scopectl completion zsh)
_scopectl() {
  local cur=${words[CURRENT]}
  local -a args opts
  args=(${words[2,CURRENT-1]})
  if [[ $cur == -* ]]; then args+=($cur); fi
  opts=(${(f)"$(_CLI_ZSH_AUTOCOMPLETE_HACK=1 ${words[1]} ${args[@]} --generate-bash-completion 2>/dev/null)"})
  if (( ${#opts} )); then
    _describe 'scopectl' opts
  else
    _files
  fi
}
compdef _scopectl scopectl
`
