# SPDX-License-Identifier: BSD-3-Clause
# Murder::MurderBackend - helpers of the tests of backends keeping the
# MUPDATE master current (cassandane-tests/mupdate/backend_*.t): a murder
# of two backends, what the master says about a name, IMAP sessions as
# the admin, and ctl_mboxlist runs on a backend.
#
#   my $t = Murder::MurderBackend::murder();        # started
#   my $e = Murder::MurderBackend::find($t, 'user.alice');  # ['MAILBOX', name, loc, acl]
#   my $c = Murder::MurderBackend::admin($t->backend(0));  # RawIMAP, logged in
#   my ($out, $st) = Murder::MurderBackend::ctl($t->backend(0), '-m');
package Murder::MurderBackend;
use strict;
use warnings;
use Carp qw(croak);
use Murder::LMTP;
use Murder::MUPDATE;
use Murder::RawIMAP;
use Murder::Topology;

# murder - a started MUPDATE master and two backends (no frontend), user
# alice on every node; %o goes to Murder::Topology->murder.
sub murder {
    my (%o) = @_;
    my $t = Murder::Topology->murder(backends => 2, frontends => 0,
        config => { sasl_mech_list => 'PLAIN LOGIN' }, %o);
    $t->add_user(alice => 'alice-pw');
    $t->start;
    return $t;
}

# master - a MUPDATE client on the master, logged in as its admin.
sub master {
    my ($t) = @_;
    return Murder::MUPDATE->connect($t->mupdate, user => $Murder::Topology::ADMIN_USER,
                                    password => $Murder::Topology::ADMIN_PASSWORD);
}

# find - the master's entry for $name: [kind, name, location, acl] or
# undef when it has none.
sub find {
    my ($t, $name) = @_;
    my $m = master($t);
    my $r = $m->cmd('FIND', $name);
    $m->close;
    croak "FIND $name: $r->{status} " . ($r->{text} // '') unless $r->{status} eq 'OK';
    return $r->{items}[0];
}

# cmd - send a master command (RESERVE, ACTIVATE, DELETE ...); the status.
sub cmd {
    my ($t, @cmd) = @_;
    my $m = master($t);
    my $r = $m->cmd(@cmd);
    $m->close;
    return $r->{status};
}

# here - the location of partition default on node $n.
sub here { return $_[0]->servername . '!default' }

# admin - a RawIMAP session on node $n logged in as the admin.
sub admin {
    my ($n, $user, $pw) = @_;
    my $c = Murder::RawIMAP->connect($n);
    my $r = $c->login($user // $Murder::Topology::ADMIN_USER,
                      $pw // $Murder::Topology::ADMIN_PASSWORD);
    croak "login: " . ($r // 'EOF') unless ($r // '') =~ /^\S+ OK/;
    return $c;
}

# imap - one IMAP command as the admin on $n: the tagged reply.
sub imap {
    my ($n, $cmd) = @_;
    my $c = admin($n);
    my $r = scalar $c->cmd($cmd);
    $c->close;
    return $r // 'EOF';
}

# ctl - ctl_mboxlist @args on node $n: (output, exit code).
sub ctl {
    my ($n, @args) = @_;
    my ($out, $st) = Murder::LMTP::run_tool($n, 'ctl_mboxlist', @args);
    return ($out, $st >> 8);
}

# local_list - node $n's mailboxes.db as { name => stored value }.
sub local_list {
    my ($n) = @_;
    my ($out, $st) = ctl($n, '-d');
    croak "ctl_mboxlist -d: $out" if $st;
    my %h;
    for (split /\n/, $out) { $h{$1} = $2 if /^(\S+)\t(.*)$/ }
    return \%h;
}

1;
