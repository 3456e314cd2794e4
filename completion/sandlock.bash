# bash completion for sandlock(1)                        -*- shell-script -*-
# SPDX-License-Identifier: Apache-2.0
#
# Nothing here is a copy of the CLI's tables: the subcommands come from
# `sandlock --help`, the flags of run (and check) and their value names
# from `sandlock run --help`, the protection names from `sandlock check`,
# the profile names from `sandlock profile list`; each asked of the
# sandlock being completed, once per shell (profiles at each use), so a
# newer binary's flags complete without a newer script.

# The sandlock of the command line ($1, as typed), and what it says of
# itself, read once for that binary.
_sandlock_load() {
	local cmd=$1 line re alias
	# shellcheck disable=SC2088 # a literal "~/": readline leaves it unexpanded
	[[ $cmd == "~/"* ]] && cmd=$HOME/${cmd#"~/"}
	_sandlock_bin=$cmd
	[[ ${_sandlock_loaded-} == "$cmd" ]] && return 0
	_sandlock_loaded=$cmd
	_sandlock_subcmds=()
	_sandlock_flags=()
	_sandlock_protections=()
	declare -gA _sandlock_meta=() _sandlock_short=()

	local in_cmds=
	while IFS= read -r line; do
		if [[ $line == "Commands:" ]]; then
			in_cmds=1
		elif [[ -z $line ]]; then
			in_cmds=
		elif [[ $in_cmds && $line =~ ^\ +([a-z][a-z0-9-]*)\  ]]; then
			_sandlock_subcmds+=("${BASH_REMATCH[1]}")
		fi
	done < <("$cmd" --help 2>/dev/null)

	# "  -r, --fs-read PATH     help" or "      --tmp     help"; an alias
	# is named in its row's help: "(also --max-cpu)"
	re='^ +(-([A-Za-z0-9]), )?--([a-z0-9][a-z0-9-]*)( ([^ ]+))?( |$)'
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		local name=${BASH_REMATCH[3]} meta=${BASH_REMATCH[5]}
		_sandlock_flags+=("--$name")
		_sandlock_meta[--$name]=$meta
		[[ ${BASH_REMATCH[2]} ]] && _sandlock_short[-${BASH_REMATCH[2]}]=--$name
		if [[ $line =~ \(also\ --([a-z0-9-]+)\) ]]; then
			alias=--${BASH_REMATCH[1]}
			_sandlock_flags+=("$alias")
			_sandlock_meta[$alias]=$meta
		fi
	done < <("$cmd" run --help 2>/dev/null)

	while IFS= read -r line; do
		[[ $line =~ ^\ +([a-z]+(-[a-z]+)+): ]] && _sandlock_protections+=("${BASH_REMATCH[1]}")
	done < <("$cmd" check 2>/dev/null)
}

_sandlock_profiles() {
	local line
	while IFS= read -r line; do
		printf '%s\n' "${line% (built-in)}"
	done < <("$_sandlock_bin" profile list 2>/dev/null)
}

# The user's running sandboxes: the first column of `sandlock ps` (a
# name is letters, digits and . _ -: one word).
_sandlock_running() {
	"$_sandlock_bin" ps 2>/dev/null | while read -r name _; do
		[[ $name == NAME ]] || printf '%s\n' "$name"
	done
}

_sandlock_files() { # cur [-d]
	if declare -F _filedir >/dev/null; then
		if [[ ${2-} == -d ]]; then _filedir -d; else _filedir; fi
	else
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen "${2:--f}" -- "$1")
	fi
}

# The value of the run flag $1 (long or short), being typed as $2.
_sandlock_value() {
	local flag=$1 cur=$2 words
	[[ ${_sandlock_short[$flag]-} ]] && flag=${_sandlock_short[$flag]}
	case $flag in
	--profile) words=$(_sandlock_profiles) ;;
	--fs-isolation) words="none overlayfs branchfs" ;;
	--on-exit | --on-error) words="commit abort keep" ;;
	--allow-degraded | --disable) words="${_sandlock_protections[*]}" ;;
	--extra-allow-syscall) words="sysv_ipc" ;;
	--exec-shell)
		mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
		return
		;;
	--fs-mount)
		_sandlock_files "$cur" -d
		return
		;;
	*)
		case ${_sandlock_meta[$flag]-} in
		PATH | BUNDLE) _sandlock_files "$cur" ;;
		esac
		return
		;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
}

# Whether $1 is a run flag that takes a value (its own word is next).
_sandlock_takes_value() {
	local flag=$1
	[[ ${_sandlock_short[$flag]-} ]] && flag=${_sandlock_short[$flag]}
	[[ -n ${_sandlock_meta[$flag]-} ]]
}

_sandlock() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	_sandlock_load "${COMP_WORDS[0]}"

	if ((COMP_CWORD == 1)); then
		mapfile -t COMPREPLY < <(compgen -W "${_sandlock_subcmds[*]} --help --version" -- "$cur")
		return
	fi
	local sub=${COMP_WORDS[1]}
	case $sub in
	run | check) ;;
	profile)
		if ((COMP_CWORD == 2)); then
			mapfile -t COMPREPLY < <(compgen -W "list show delete --help" -- "$cur")
		elif ((COMP_CWORD == 3)) && [[ $prev == show || $prev == delete ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_sandlock_profiles)" -- "$cur")
		fi
		return
		;;
	inspect)
		if ((COMP_CWORD == 2)); then
			mapfile -t COMPREPLY < <(compgen -W "$(_sandlock_running)" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "--toml --json" -- "$cur")
		fi
		return
		;;
	kill | pause | resume)
		((COMP_CWORD == 2)) && mapfile -t COMPREPLY < <(compgen -W "$(_sandlock_running)" -- "$cur")
		return
		;;
	*) return ;;
	esac

	# run, check: after "--" the command and its arguments
	local i
	for ((i = 2; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == -- ]] || continue
		if declare -F _command_offset >/dev/null; then
			_command_offset $((i + 1))
		elif ((COMP_CWORD == i + 1)); then
			mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
		else
			_sandlock_files "$cur"
		fi
		return
	done

	# --flag=value, whether or not readline split the word at "="
	if [[ $prev == = ]] && ((COMP_CWORD >= 3)); then
		_sandlock_value "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
		return
	fi
	if [[ $cur == --*=* ]]; then
		local flag=${cur%%=*}
		_sandlock_value "$flag" "${cur#*=}"
		local j
		for j in "${!COMPREPLY[@]}"; do
			COMPREPLY[j]=$flag=${COMPREPLY[j]}
		done
		return
	fi
	if [[ $prev == -* ]] && _sandlock_takes_value "$prev"; then
		_sandlock_value "$prev" "$cur"
		return
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "${_sandlock_flags[*]} --" -- "$cur")
	fi
}

complete -F _sandlock sandlock
