# SPDX-License-Identifier: BSD-3-Clause
# Murder::Postfix - a private Postfix instance for tests that check a
# real MTA against our LMTP services: its own config, queue, data and log
# directories under the test's directory, an SMTP listener on a loopback
# test port to inject mail, and its log read from maillog_file (no
# syslog).  It never touches /etc/postfix's instance or port 25.
#
#   my $reason = Murder::Postfix::unavailable() and plan(skip_all => $reason);
#   my $p = Murder::Postfix->new(main => { transport_maps => '...' });
#   $p->start;
#   my $qid = $p->send('s@sender.example', ['alice@tcp.example'], $msg);
#   my $st = $p->wait_status($qid, 'alice@tcp.example');   # sent, bounced...
#   $p->flush;  $p->stop;
#
# Postfix needs root (its master starts as root and drops to the postfix
# user) and the postfix user and postdrop group of the Debian package
# (tools/install-deps).  Every instance started is stopped at exit, before
# Murder::Instance's teardown; stop() fails the test when a Postfix
# process outlives it.
package Murder::Postfix;
use strict;
use warnings;
use Carp qw(croak);
use File::Path qw(make_path);
use IO::Socket::INET;
use Net::SMTP;
use Time::HiRes qw(sleep);
use Murder::Instance ();    # first, so our END block runs before its
use Murder::Ports qw(alloc_port release_port);
use Murder::Util qw(slurp spew running_as_root proc_alive descendants wait_for);

our $POSTFIX = '/usr/sbin/postfix';
our $POSTCONF = '/usr/sbin/postconf';
our $POSTQUEUE = '/usr/sbin/postqueue';

my @LIVE;    # instances started and not stopped

# unavailable - why Postfix cannot run here (skip reason), or undef.
sub unavailable {
    return 'Postfix not installed (tools/install-deps installs it)'
        unless -x $POSTFIX && -x $POSTCONF && -x $POSTQUEUE;
    return 'Postfix needs root to start' unless running_as_root();
    return 'no postfix user or postdrop group (Debian postfix package)'
        unless getpwnam('postfix') && getgrnam('postdrop');
    return undef;
}

# version - mail_version of the installed Postfix.
sub version {
    my $v = `$POSTCONF -d -h mail_version 2>/dev/null` // '';
    chomp $v;
    return $v;
}

# new - describe an instance under <test dir>/<name> (postfix); nothing
# is written yet.  main => {...} adds or overrides main.cf parameters;
# address and smtp_port (free) place its SMTP listener.  The address is
# 127.0.0.1: Postfix refuses an inet_interfaces address that no interface
# has, and lo only has 127.0.0.1 (the rest of 127/8 is routed to it).
sub new {
    my ($class, %a) = @_;
    my $root = Murder::Instance::test_dir() . '/' . ($a{name} // 'postfix');
    my $addr = $a{address} // '127.0.0.1';
    my $self = bless {
        root => $root, address => $addr,
        smtp_port => $a{smtp_port} // alloc_port($addr),
        main => $a{main} // {},
    }, $class;
    return $self;
}

sub root { $_[0]{root} }
sub address { $_[0]{address} }
sub smtp_port { $_[0]{smtp_port} }
sub config_dir { "$_[0]{root}/conf" }
sub queue_dir { "$_[0]{root}/queue" }
sub log_file { "$_[0]{root}/logs/maillog" }

# main_cf - the main.cf parameters: a null client for the outside world
# (nothing leaves: default_transport is error), SMTP in from loopback.
sub main_cf {
    my ($self) = @_;
    my $r = $self->{root};
    return (
        compatibility_level => '3.6',
        config_directory => $self->config_dir,
        queue_directory => $self->queue_dir,
        data_directory => "$r/data",
        maillog_file => $self->log_file,
        maillog_file_prefixes => $r,
        myhostname => 'mta.postfix.test',
        mydomain => 'postfix.test',
        mydestination => '',
        local_recipient_maps => '',
        alias_maps => '',
        alias_database => '',
        inet_interfaces => $self->{address},
        inet_protocols => 'ipv4',
        mynetworks => '127.0.0.0/8',
        smtpd_peername_lookup => 'no',
        smtputf8_enable => 'no',
        biff => 'no',
        default_transport => 'error:5.7.1 no mail leaves this test',
        relay_transport => 'error:5.7.1 no relay transport in this test',
        %{$self->{main}},
    );
}

# master_cf - only the services this test instance needs, none chrooted:
# SMTP in on the test port (pickup for sendmail -C), the queue machinery
# (flush and showq for postqueue), lmtp and error out, scache for lmtp's
# connection cache, anvil for smtpd, postlogd for maillog_file.
sub master_cf {
    my ($self) = @_;
    my @s = (
        ["$self->{address}:$self->{smtp_port}", 'inet', 'n', '-', '-', 'smtpd'],
        ['pickup', 'unix', 'n', '60', '1', 'pickup'],
        ['cleanup', 'unix', 'n', '-', '0', 'cleanup'],
        ['qmgr', 'unix', 'n', '300', '1', 'qmgr'],
        ['rewrite', 'unix', '-', '-', '-', 'trivial-rewrite'],
        ['bounce', 'unix', '-', '-', '0', 'bounce'],
        ['defer', 'unix', '-', '-', '0', 'bounce'],
        ['trace', 'unix', '-', '-', '0', 'bounce'],
        ['flush', 'unix', 'n', '1000?', '0', 'flush'],
        ['showq', 'unix', 'n', '-', '-', 'showq'],
        ['error', 'unix', '-', '-', '-', 'error'],
        ['retry', 'unix', '-', '-', '-', 'error'],
        ['lmtp', 'unix', '-', '-', '-', 'lmtp'],
        ['anvil', 'unix', '-', '-', '1', 'anvil'],
        ['scache', 'unix', '-', '-', '1', 'scache'],
        ['postlog', 'unix-dgram', 'n', '-', '1', 'postlogd'],
    );
    # service type private unpriv chroot wakeup maxproc command
    return join('', map { sprintf("%-16s %-10s %-3s %-3s n %-6s %-3s %s\n",
                                  $_->[0], $_->[1], $_->[2], '-', @$_[3 .. 5]) } @s);
}

# postconf - run postconf on this instance's config with @args: output.
sub postconf {
    my ($self, @args) = @_;
    return _run($POSTCONF, '-c', $self->config_dir, @args);
}

# _run - run a command, croak with its output when it fails.
sub _run {
    my (@cmd) = @_;
    my $out = `@{[join(' ', map { _q($_) } @cmd)]} 2>&1`;
    croak "@cmd failed (status $?): $out" if $?;
    return $out;
}

sub _q { my ($s) = @_; $s =~ s/'/'\\''/g; return "'$s'" }

# prepare - write main.cf (through postconf -e) and master.cf; create the
# directories with the owners Postfix checks (root, data for postfix).
sub prepare {
    my ($self) = @_;
    my $r = $self->{root};
    make_path(map { "$r/$_" } qw(conf queue data logs));
    chmod(0755, $r, map { "$r/$_" } qw(conf queue logs));
    my (undef, undef, $uid, $gid) = getpwnam('postfix') or croak 'no postfix user';
    chown($uid, $gid, "$r/data");
    chmod(0700, "$r/data");
    spew($self->config_dir . '/main.cf', "# generated by Murder::Postfix\n", 0644);
    spew($self->config_dir . '/master.cf', $self->master_cf, 0644);
    my %m = $self->main_cf;
    $self->postconf('-e', map { "$_=$m{$_}" } sort keys %m);
    spew($self->log_file, '', 0644);
}

# start - prepare, `postfix check` then `postfix -c DIR start`; waits
# for the SMTP listener.
sub start {
    my ($self) = @_;
    $self->prepare;
    $self->check;
    release_port($self->{smtp_port});
    push @LIVE, $self;
    _run($POSTFIX, '-c', $self->config_dir, 'start');
    my $ok = wait_for(sub {
        $self->master_pid && IO::Socket::INET->new(
            PeerAddr => $self->{address}, PeerPort => $self->{smtp_port},
            Proto => 'tcp', Timeout => 1);
    }, 15);
    croak "postfix did not start listening on $self->{address}:$self->{smtp_port}\n"
        . $self->log_text unless $ok;
    return $self;
}

# check - `postfix -c DIR check`, croak with the reason when it fails.
# Postfix prints its fatal errors only to a terminal (else to syslog,
# which tests do not have), so the reason comes from a rerun under
# script(1), which gives it one.
sub check {
    my ($self) = @_;
    my $dir = $self->config_dir;
    return if eval { _run($POSTFIX, '-c', $dir, 'check'); 1 };
    my $cmd = _q("$POSTFIX -c " . _q($dir) . ' check');
    my $why = `script -qec $cmd /dev/null 2>&1` // '';
    croak "postfix -c $dir check failed: $why";
}

# master_pid - the pid of this instance's Postfix master, or undef.
sub master_pid {
    my ($self) = @_;
    my $p = slurp($self->queue_dir . '/pid/master.pid') // return undef;
    return $p =~ /(\d+)/ && proc_alive($1) ? $1 : undef;
}

# stop - `postfix stop`, wait for the master and its children to exit;
# leftovers are killed and reported (a failed test unless quiet => 1).
# Returns the list of problems.
sub stop {
    my ($self, %a) = @_;
    @LIVE = grep { $_ != $self } @LIVE;
    my $m = $self->master_pid or return ();
    my @procs = ($m, descendants($m));
    my @problems;
    eval { _run($POSTFIX, '-c', $self->config_dir, 'stop'); 1 }
        or push @problems, "postfix stop: $@";
    wait_for(sub { !grep { proc_alive($_) } @procs }, 15);
    my @left = grep { proc_alive($_) } @procs;
    if (@left) {
        push @problems, "postfix processes left after stop: @left";
        kill('KILL', @left);
        wait_for(sub { !grep { proc_alive($_) } @left }, 5);
    }
    if (!$a{quiet} && @problems) {
        require Test::More;
        Test::More::fail('postfix: clean stop');
        Test::More::diag($_) for @problems;
    }
    return @problems;
}

# send - one SMTP transaction to the instance: the queue id, or croak.
sub send {
    my ($self, $from, $rcpts, $msg) = @_;
    my $smtp = Net::SMTP->new($self->{address}, Port => $self->{smtp_port},
                              Hello => 'test.example', Timeout => 10)
        or croak "SMTP connect to postfix: $@";
    $smtp->mail($from) or croak 'MAIL: ' . $smtp->message;
    for my $r (@$rcpts) {
        $smtp->to($r) or croak "RCPT $r: " . $smtp->message;
    }
    $smtp->data($msg) or croak 'DATA: ' . $smtp->message;
    my ($qid) = $smtp->message =~ /queued as (\w+)/ or croak 'no queue id: ' . $smtp->message;
    $smtp->quit;
    return $qid;
}

sub log_text { slurp($_[0]->log_file) // '' }

# status - the delivery result logged for $rcpt of queue file $qid, as
# [status, text in parentheses], the last one logged; undef when none.
sub status {
    my ($self, $qid, $rcpt) = @_;
    my @r;
    for (split /\n/, $self->log_text) {
        @r = ($1, $2) if /\b\Q$qid\E: to=<\Q$rcpt\E>.*, status=(\w+) \((.*)\)$/;
    }
    return @r ? \@r : undef;
}

# wait_status - wait up to $timeout s (15) for a result of $rcpt in $qid
# other than those in $a{not} (e.g. the deferral seen before): the
# [status, text] or undef.
sub wait_status {
    my ($self, $qid, $rcpt, %a) = @_;
    my %not = map { $_ => 1 } @{$a{not} // []};
    return wait_for(sub {
        my $s = $self->status($qid, $rcpt);
        $s && !$not{$s->[0]} ? $s : undef;
    }, $a{timeout} // 15, 0.1);
}

# queue - the queue ids Postfix still holds (postqueue -j).
sub queue {
    my ($self) = @_;
    my $out = _run($POSTQUEUE, '-c', $self->config_dir, '-j');
    return $out =~ /"queue_id": *"(\w+)"/g;
}

# flush - postqueue -f: retry every deferred message now.
sub flush {
    my ($self) = @_;
    _run($POSTQUEUE, '-c', $self->config_dir, '-f');
}

END {
    my $status = $?;
    $_->stop for reverse @LIVE;
    $? = $status;
}

1;
