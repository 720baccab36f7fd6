# SPDX-License-Identifier: BSD-3-Clause
# Murder::Util - small helpers shared by the integration harness: bounded
# waiting, the build directory and its binaries, /proc process queries,
# reading a line from a socket with a timeout.  No test logic here.
package Murder::Util;
use strict;
use warnings;
use Carp qw(croak);
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use IO::Select;
use Time::HiRes qw(time sleep);
use Exporter 'import';

our @EXPORT_OK = qw(wait_for top_srcdir build_dir find_binary slurp spew
                    proc_ppid proc_pgid proc_uid proc_cmdline proc_environ
                    proc_starttime proc_alive all_pids descendants read_line
                    running_as_root cyrus_user inaccessible_dir);

# wait_for - call $cond every $interval seconds until it returns true or
# $timeout seconds pass.  Returns the condition's last value (false on
# timeout).
sub wait_for {
    my ($cond, $timeout, $interval) = @_;
    $timeout //= 10;
    $interval //= 0.05;
    my $deadline = time() + $timeout;
    while (1) {
        my $r = $cond->();
        return $r if $r;
        return $r if time() >= $deadline;
        sleep($interval);
    }
}

# top_srcdir - the top of the source tree (cassandane-tests/..).
sub top_srcdir {
    return abs_path(dirname(__FILE__) . '/../../..');
}

# build_dir - the build the tests run against: $MURDER_BUILD, else the
# first of build-asan, build-ci, build, build-tests under the top of the
# tree that holds master/master, else build-asan (which then fails clearly).
sub build_dir {
    if (my $b = $ENV{MURDER_BUILD}) {
        return abs_path($b) // $b;
    }
    my $top = top_srcdir();
    for my $d (qw(build-asan build-ci build build-tests)) {
        return "$top/$d" if -x "$top/$d/master/master";
    }
    return "$top/build-asan";
}

# Where each program lives in the build (non-recursive Makefile.am: the
# binary sits in its source directory).  Unknown names are searched for in
# every directory listed here.
my @BIN_DIRS = qw(master imap mupdate lmtpd proxy sieve tools .);

# find_binary - absolute path of a built program, or undef if not built.
sub find_binary {
    my ($name, $build) = @_;
    $build //= build_dir();
    return $name if $name =~ m{^/} && -x $name;
    for my $d (@BIN_DIRS) {
        my $p = "$build/$d/$name";
        return $p if -f $p && -x _;
    }
    return undef;
}

sub slurp {
    my ($path) = @_;
    open(my $fh, '<', $path) or return undef;
    local $/;
    my $s = <$fh>;
    close($fh);
    return $s;
}

sub spew {
    my ($path, $text, $mode) = @_;
    open(my $fh, '>', $path) or croak "cannot write $path: $!";
    print $fh $text;
    close($fh) or croak "cannot write $path: $!";
    chmod($mode, $path) if defined $mode;
}

# _stat_fields - fields of /proc/PID/stat after the command name.
sub _stat_fields {
    my ($pid) = @_;
    my $s = slurp("/proc/$pid/stat") // return;
    $s =~ s/^.*\)\s+// or return;
    return split(/\s+/, $s);    # [0]=state [1]=ppid [2]=pgrp ... [19]=starttime
}

sub proc_ppid { my @f = _stat_fields($_[0]); return @f ? $f[1] : undef }
sub proc_pgid { my @f = _stat_fields($_[0]); return @f ? $f[2] : undef }
sub proc_starttime { my @f = _stat_fields($_[0]); return @f ? $f[19] : undef }

# proc_alive - true if $pid exists and is not a zombie.
sub proc_alive {
    my @f = _stat_fields($_[0]);
    return @f && $f[0] ne 'Z';
}

sub proc_uid {
    my ($pid) = @_;
    my $s = slurp("/proc/$pid/status") // return undef;
    return $s =~ /^Uid:\s+(\d+)/m ? $1 : undef;
}

sub proc_cmdline {
    my ($pid) = @_;
    my $s = slurp("/proc/$pid/cmdline") // return ();
    return split(/\0/, $s);
}

sub proc_environ {
    my ($pid) = @_;
    my $s = slurp("/proc/$pid/environ") // return {};
    my %e;
    for (split(/\0/, $s)) {
        my ($k, $v) = split(/=/, $_, 2);
        $e{$k} = $v if defined $v;
    }
    return \%e;
}

sub all_pids {
    opendir(my $dh, '/proc') or return ();
    my @p = grep { /^\d+$/ } readdir($dh);
    closedir($dh);
    return @p;
}

# descendants - every live process below $pid (children, grandchildren...).
sub descendants {
    my ($root) = @_;
    my %kids;
    for my $p (all_pids()) {
        my $pp = proc_ppid($p);
        push @{$kids{$pp}}, $p if defined $pp;
    }
    my @out;
    my @todo = ($root);
    while (@todo) {
        my $p = shift @todo;
        for my $k (@{$kids{$p} // []}) {
            push @out, $k;
            push @todo, $k;
        }
    }
    return grep { proc_alive($_) } @out;
}

# write_all - write all of $data to $sock (partial writes continued);
# 1 when everything was written, 0 on an error or a closed peer.
sub write_all {
    my ($sock, $data) = @_;
    my $off = 0;
    while ($off < length $data) {
        my $n = syswrite($sock, $data, length($data) - $off, $off);
        return 0 unless $n;
        $off += $n;
    }
    return 1;
}

# read_line - one line from $sock within $timeout seconds, without the
# line ending; undef on EOF or timeout.  Uses sysread one byte at a time
# (the sockets here carry short lines), so it never buffers past a line.
sub read_line {
    my ($sock, $timeout) = @_;
    $timeout //= 10;
    my $sel = IO::Select->new($sock);
    my $deadline = time() + $timeout;
    my $line = '';
    while (1) {
        my $left = $deadline - time();
        return undef if $left <= 0;
        next unless $sel->can_read($left);
        my $n = sysread($sock, my $c, 1);
        return (length $line ? $line : undef) unless $n;
        if ($c eq "\n") {
            $line =~ s/\r$//;
            return $line;
        }
        $line .= $c;
    }
}

sub running_as_root { return $> == 0 }

# inaccessible_dir - the first directory on the way to $path that the
# cyrus user cannot enter (children run as it and must reach the programs
# and the test directories), or undef when all can be entered or we are
# not root.
sub inaccessible_dir {
    my ($path) = @_;
    return undef unless running_as_root();
    my (undef, undef, $uid, $gid) = getpwnam(cyrus_user()) or return undef;
    my %groups = ($gid => 1);
    while (my @g = getgrent()) {
        $groups{$g[2]} = 1 if grep { $_ eq cyrus_user() } split(' ', $g[3] // '');
    }
    endgrent();
    my $p = '';
    for my $part (grep { length } split(m{/}, $path)) {
        $p .= "/$part";
        my @st = stat($p) or last;
        next unless -d _;
        my $mode = $st[2];
        next if $st[4] == $uid && $mode & 0100;
        next if $groups{$st[5]} && $mode & 0010;
        next if $mode & 0001;
        return $p;
    }
    return undef;
}

# cyrus_user - the account children run as: `cyrus` when we are root,
# else ourselves (master cannot change uid then).
sub cyrus_user {
    return 'cyrus' if running_as_root();
    return scalar(getpwuid($>)) // $>;
}

1;
