# SPDX-License-Identifier: BSD-3-Clause
# Murder::Proxy - set-up for the frontend tests (pop3proxyd, lmtpproxyd):
# a murder of a MUPDATE master, two backends and one frontend, users
# whose mailboxes live on chosen backends, and a frontend that knows
# where they are.
#
#   my $t = Murder::Proxy::murder();                 # started
#   Murder::Proxy::provision($t, alice => 0, bob => 1);
#   Murder::Proxy::admin_cmd($t->backend(1), 'SETACL user.bob anyone p');
#
# How the frontend learns the list: in the real flow the backends push
# every CREATE to the MUPDATE master and the frontend's mupdate slave
# writes it into the frontend's mailboxes.db; provision() then only waits
# for the entries to appear.  Until both halves exist (MURDER_PROXY_SEED=1
# forces it) seed_frontend() copies each backend's list into the
# frontend's with `ctl_mboxlist -u`, as remote entries.
package Murder::Proxy;
use strict;
use warnings;
use Carp qw(croak);
use File::Temp qw(tempfile);
use POSIX ();
use Murder::Topology;
use Murder::RawIMAP;
use Murder::LMTP;
use Murder::MsgIMAP;
use Murder::Util qw(running_as_root cyrus_user find_binary);

our %USERS = (alice => 'alice-pw', bob => 'bob-pw', carol => 'carol-pw');

# murder - start mupdate + 2 backends + 1 frontend (programs not built
# yet, e.g. proxyd, run as placeholders), with the users of %USERS.
# frontend_services => [{...}] adds services to every frontend;
# frontends => N (1) starts N frontends.
sub murder {
    my (%a) = @_;
    my $t = Murder::Topology->murder(
        backends => $a{backends} // 2, frontends => $a{frontends} // 1,
        placeholders => 1,
        config => { sasl_mech_list => 'PLAIN LOGIN', %{$a{config} // {}} },
        # seeding: backends stand alone (no master to refuse their CREATEs,
        # no push at start) and the frontend runs no slave (which would
        # replace the seeded list with the master's empty one)
        real_flow() ? () : (backend_config => { mupdate_server => undef },
                            backend_start => [{ name => 'recover',
                                                cmd => 'ctl_cyrusdb -r' }]),
        frontend_config => $a{frontend_config} // {});
    for my $f ($t->frontends) {
        $f->remove_service('mupdate') unless real_flow();
        $f->add_service(%$_) for @{$a{frontend_services} // []};
    }
    $t->add_user($_, $USERS{$_}) for sort keys %USERS;
    $t->start;
    return $t;
}

# real_flow - true when the frontend's list comes from its mupdate slave:
# mupdate is built and ctl_mboxlist can push a backend's list (-m).
# MURDER_PROXY_SEED=1 forces seeding.
my $REAL;
sub real_flow {
    return 0 if $ENV{MURDER_PROXY_SEED};
    return $REAL if defined $REAL;
    my $ctl = find_binary('ctl_mboxlist');
    my $usage = $ctl ? `$ctl 2>&1` : '';
    $REAL = find_binary('mupdate') && $usage =~ /\s-m\b/ ? 1 : 0;
    return $REAL;
}

# admin - a RawIMAP client of node $n logged in as the murder admin.
sub admin {
    my ($n) = @_;
    my $c = Murder::RawIMAP->connect($n);
    my $ok = $c->login($Murder::Topology::ADMIN_USER,
                       $Murder::Topology::ADMIN_PASSWORD) // 'EOF';
    croak "admin login on " . $n->name . ": $ok" unless $ok =~ /^\S+ OK/;
    return $c;
}

# sep - the hierarchy separator of node $n.
sub sep {
    my ($c) = @_;
    my (undef, @l) = $c->cmd('LIST "" ""');
    my ($sep) = join('', @l) =~ /^\* LIST \([^)]*\) "(.)"/ or croak 'no separator';
    return $sep;
}

# admin_cmd - run one IMAP command as admin on $n ('.' in mailbox names
# is turned into the node's separator by the caller); croaks unless OK.
sub admin_cmd {
    my ($n, $cmd) = @_;
    my $c = admin($n);
    my $ok = $c->cmd($cmd) // 'EOF';
    $c->cmd('LOGOUT');
    croak "$cmd on " . $n->name . ": $ok" unless $ok =~ /^\S+ OK/;
    return $ok;
}

# provision - create the INBOX of each user on backend index $where{user},
# then make the frontend know them (real flow or seeding).  Returns the
# hierarchy separator.
sub provision {
    my ($t, %where) = @_;
    my $sep;
    for my $u (sort keys %where) {
        my $c = admin($t->backend($where{$u}));
        $sep //= sep($c);
        my $ok = $c->cmd("CREATE user$sep$u") // 'EOF';
        croak "CREATE user$sep$u: $ok" unless $ok =~ /^\S+ OK/;
        $c->cmd('LOGOUT');
    }
    sync_frontend($t, map { "user.$_" } sort keys %where);
    return $sep;
}

# sync_frontend - make the frontend's list hold every name in @names
# (internal names): wait for the slave, or seed.
sub sync_frontend {
    my ($t, @names) = @_;
    if (real_flow()) {
        my $ok = Murder::Util::wait_for(sub {
            my %have = frontend_entries($t);
            !grep { !$have{$_} } @names;
        }, 15);
        croak "frontend's list lacks some of @names after 15 s" unless $ok;
        return;
    }
    seed_frontend($t);
}

# frontend_entries - name => dump value of the mailboxes.db of frontend
# index $i (0).
sub frontend_entries {
    my ($t, $i) = @_;
    my ($out, $st) = Murder::LMTP::run_tool($t->frontend($i // 0), 'ctl_mboxlist', '-d');
    return () if $st;
    return map { split /\t/, $_, 2 } grep { /\t/ } split /\n/, $out;
}

# remote_value - a backend's stored value turned into a remote entry on
# server $server: the type gets 'r', the server field is added.
sub remote_value {
    my ($value, $server) = @_;
    my ($ver, $rest) = $value =~ /^(%M\d+)(.*)$/ or croak "bad value $value";
    my (@f, %seen);
    while ($rest =~ /\G ([a-z]+)=(\d+):/gc) {
        my ($tag, $len) = ($1, $2);
        my $bytes = substr($rest, pos($rest), $len);
        pos($rest) = pos($rest) + $len;
        if ($tag eq 't') {
            $bytes .= 'r' unless $bytes =~ /r/;
        }
        next if $tag eq 's';
        push @f, [$tag, $bytes];
    }
    push @f, ['s', $server];
    return $ver . join('', map { " $_->[0]=" . length($_->[1]) . ":$_->[1]" } @f);
}

# seed_frontend - copy every backend's list into the frontend's as remote
# entries (`ctl_mboxlist -d` there, `ctl_mboxlist -u` on the frontend).
sub seed_frontend {
    my ($t) = @_;
    my $dump = '';
    for my $b ($t->backends) {
        my ($out, $st) = Murder::LMTP::run_tool($b, 'ctl_mboxlist', '-d');
        next if $st && $out =~ /does not exist/;   # no mailbox there yet
        croak "ctl_mboxlist -d on " . $b->name . ": $out" if $st;
        for (split /\n/, $out) {
            my ($name, $value) = split /\t/, $_, 2;
            next unless defined $value;
            $dump .= "$name\t" . remote_value($value, $b->servername) . "\n";
        }
    }
    my $f = $t->frontend(0);
    my $file = $f->root . '/seed.dump';
    Murder::Util::spew($file, $dump);
    chmod(0644, $file);
    my ($out, $st) = Murder::LMTP::run_tool($f, 'ctl_mboxlist', '-u', '-f', $file);
    croak "ctl_mboxlist -u on the frontend: $out" if $st;
}

# lmtp - an LMTP client of node $n (a frontend's lmtpproxyd) that said
# LHLO and authenticated as the murder admin, as an MTA does.
sub lmtp {
    my ($n) = @_;
    my $c = Murder::LMTP->connect($n);
    $c->{lhlo} = $c->cmd('LHLO mta.example');
    my $ir = Murder::RawIMAP::plain('', $Murder::Topology::ADMIN_USER,
                                    $Murder::Topology::ADMIN_PASSWORD);
    my $r = $c->cmd("AUTH PLAIN $ir") // 'EOF';
    croak "LMTP AUTH on " . $n->name . ": $r" unless $r =~ /^235 /;
    return $c;
}

# backend_messages - the messages of mailbox $mbox (external, as $user
# sees it) on backend $n, fetched over IMAP as $user: list of bodies.
sub backend_messages {
    my ($n, $user, $mbox) = @_;
    my $c = Murder::RawIMAP->connect($n);
    my $ok = $c->login($user, $USERS{$user}) // 'EOF';
    croak "login $user: $ok" unless $ok =~ /^\S+ OK/;
    $ok = $c->cmd("EXAMINE $mbox") // 'EOF';
    return () unless $ok =~ /^\S+ OK/;
    my ($tagged, @u) = Murder::MsgIMAP::cmd($c, 'FETCH 1:* BODY.PEEK[]');
    $c->cmd('LOGOUT');
    my @bodies;
    for (@u) {
        push @bodies, $1 if /BODY\[\] \{\d+\}\r\n(.*)\)\z/s;
    }
    return @bodies;
}

1;
